/**
 * The HTTP layer both Genesys hosts share: a ky instance that contacts one origin only, and
 * attempts bounded in time from the first byte sent to the last byte read.
 *
 * ky's own `timeout` stops at the response headers and stays the same for every retry of a call,
 * so it is off: each attempt carries an abort signal of its own budget ({@link boundAttempt}), and
 * its body is read inside the attempt ({@link readBody}), so a body that stalls or breaks fails the
 * attempt like any other failure ky's retry sees. `redirect: 'error'` means a 3xx can never send a
 * request, or our bearer header, to another host.
 */
import ky, { type AfterResponseHook, type KyInstance, type NormalizedOptions } from 'ky';
import type { GenesysErrorContext } from './errors.js';
import { errorBodySchema } from './responses.js';

/** What one attempt produced when the server answered. */
export interface AttemptResponse {
  status: number;
  headers: Headers;
  /** The whole body as text ('' when empty). */
  text: string;
}

/** Why an attempt produced no answer. */
export class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';
  constructor(
    readonly reason: 'timeout' | 'network' | 'redirect',
    /** A short, secret-free description (e.g. "ECONNRESET", "no complete answer within 50 ms"). */
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The options of one attempt without retries ({@link attempt}). */
export interface AttemptOptions {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path relative to the instance's prefixUrl, without a leading slash. */
  path: string;
  body?: URLSearchParams;
  headers?: Record<string, string>;
  /** Hard budget for the whole attempt, in ms. */
  timeoutMs: number;
}

/**
 * A ky instance for one base URL, with the settings every Genesys call shares. It does not retry:
 * callers that do pass their `retry` options per call.
 *
 * @param baseUrl - scheme, host and optional port; the only origin this instance will contact
 * @param fetchImpl - fetch to use (tests may inject one); the global fetch otherwise
 */
export function createHttp(baseUrl: string, fetchImpl: typeof fetch | undefined): KyInstance {
  return ky.create({ prefixUrl: baseUrl, redirect: 'error', timeout: false, retry: 0, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
}

/**
 * The request of a beforeRequest hook with an abort signal that ends the attempt after
 * `budgetMs`, body read included. ky's own signal stays in force.
 *
 * @param budgetMs - whole milliseconds, at least 1
 */
export function boundAttempt(request: Request, options: NormalizedOptions, budgetMs: number): Request {
  const timeout = AbortSignal.timeout(budgetMs);
  // Node keeps a timeout signal alive until it fires only while it has a listener of its own; held
  // by AbortSignal.any alone it can be collected first, and the attempt would then never end
  // (nodejs/node#57736, reproduced on Node 20.20 after one collection).
  timeout.addEventListener('abort', keepUntilFired, { once: true });
  return new Request(request, { signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout });
}

/** The listener that keeps a timeout signal alive until it fires ({@link boundAttempt}). */
function keepUntilFired(): void {}

/** An afterResponse hook that reads the whole body inside the attempt and hands ky a copy, so later reads cannot stall. */
export const readBody: AfterResponseHook = async (_request, _options, response) => {
  const text = await response.text();
  return new Response(text === '' ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
};

/**
 * What a failed attempt's error means, when it is a timeout, a network failure or a redirect.
 *
 * @param budgetMs - the attempt's budget, for the message
 * @returns undefined for any other error (a bug, or an error a hook threw on purpose)
 */
export function attemptFailure(error: unknown, budgetMs: number): AttemptFailure | undefined {
  // AbortSignal.timeout aborts with a TimeoutError, whether the headers or the body were late.
  if (error instanceof Error && error.name === 'TimeoutError') return new AttemptFailure('timeout', `no complete answer within ${budgetMs} ms`);
  // fetch reports every network failure, a redirect refused included, as a TypeError.
  if (!(error instanceof TypeError)) return undefined;
  const detail = describeNetworkError(error);
  if (/redirect/i.test(detail)) return new AttemptFailure('redirect', 'answered with a redirect, which is never followed');
  return new AttemptFailure('network', `network error (${detail})`);
}

/**
 * Sends one request, without retries, and reads its answer within `timeoutMs`.
 *
 * @throws AttemptFailure on timeout, network failure or a redirect
 */
export async function attempt(http: KyInstance, options: AttemptOptions): Promise<AttemptResponse> {
  const budget = Math.max(1, Math.floor(options.timeoutMs));
  try {
    const response = await http(options.path, {
      method: options.method,
      throwHttpErrors: false,
      ...(options.body ? { body: options.body } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      hooks: { beforeRequest: [(request, kyOptions) => boundAttempt(request, kyOptions, budget)], afterResponse: [readBody] },
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    throw attemptFailure(error, budget) ?? error;
  }
}

/**
 * Normalises a configured base URL: http(s), no path, query or credentials, no trailing slash.
 *
 * @throws TypeError when the URL cannot be a Genesys (or local twin) base URL
 */
export function normalizeBaseUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`${what} must be an absolute URL such as https://api.mypurecloud.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new TypeError(`${what} must be a bare origin such as https://api.mypurecloud.com (no path, query or credentials)`);
  }
  return url.origin;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message.slice(0, 100);
  return error instanceof Error ? error.name : 'network error';
}

/**
 * What a Genesys host said about an answer, for messages: its correlation id and, for a failure,
 * the code and message of its error body (the API's ErrorBody or the login host's OAuth error).
 *
 * @param redact - scrubs secrets and tokens from the server's text
 */
export function answerDetails(answer: AttemptResponse, redact: (text: string) => string): Partial<GenesysErrorContext> {
  const header = answer.headers.get('inin-correlation-id') ?? undefined;
  if (answer.status < 300 || answer.text === '') return header ? { correlationId: redact(header) } : {};
  const json = parseJson(answer.text);
  const parsed = json.ok ? errorBodySchema.safeParse(json.value) : undefined;
  const body = parsed?.success ? parsed.data : {};
  const message = body.error_description ?? body.description ?? body.message;
  const code = body.error ?? body.code;
  const correlationId = header ?? body.contextId;
  return {
    ...(message ? { genesysMessage: redact(message) } : {}),
    ...(code ? { genesysCode: redact(code) } : {}),
    ...(correlationId ? { correlationId: redact(correlationId) } : {}),
  };
}

/**
 * Parses a Retry-After header given in seconds (the form Genesys uses).
 *
 * @returns seconds, or undefined when absent or not a non-negative number
 */
export function parseRetryAfterSeconds(headers: Headers): number | undefined {
  const raw = headers.get('retry-after');
  if (raw === null || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/**
 * Parses a body as JSON.
 *
 * @returns the value, or a failure marker when the text is not JSON
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
