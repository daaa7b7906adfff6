/**
 * One HTTP attempt through ky, bounded in time from the first byte sent to the last byte read.
 *
 * ky's own `timeout` stops at the response headers, so the body read is bounded too, by an abort
 * signal on the same budget. ky never retries here (`retry: 0`): the callers' retry loops own the
 * delays, which must be injectable and deadline-aware. `redirect: 'error'` means a 3xx can never
 * send a request, or our bearer header, to another host.
 */
import ky, { type BeforeRequestHook, type KyInstance } from 'ky';

/** What one attempt produced when the server answered. */
export interface AttemptResponse {
  status: number;
  headers: Headers;
  /** The body as text; '' when not read (success without a body expected) or empty. */
  text: string;
}

/** Why an attempt produced no answer. */
export class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';
  constructor(
    readonly reason: 'timeout' | 'network' | 'redirect',
    /** A short, secret-free description (e.g. "ECONNRESET", "no answer within 50 ms"). */
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The options of one attempt. */
export interface AttemptOptions {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path relative to the instance's prefixUrl, without a leading slash. */
  path: string;
  searchParams?: URLSearchParams;
  json?: unknown;
  body?: URLSearchParams;
  headers?: Record<string, string>;
  /** Hard budget for the whole attempt, in ms. */
  timeoutMs: number;
  /** Passed to ky hooks (e.g. the bearer token for the beforeRequest hook). */
  context?: Record<string, unknown>;
  /** Read the body of 2xx answers (error bodies are always read). */
  readSuccessBody: boolean;
}

/**
 * A ky instance for one base URL, with the settings every Genesys call shares.
 *
 * @param baseUrl - scheme, host and optional port; the only origin this instance will contact
 * @param fetchImpl - fetch to use (tests may inject one); the global fetch otherwise
 * @param beforeRequest - hooks, e.g. the one that attaches the bearer header
 */
export function createHttp(
  baseUrl: string,
  fetchImpl: typeof fetch | undefined,
  beforeRequest: BeforeRequestHook[] = [],
): KyInstance {
  return ky.create({
    prefixUrl: baseUrl,
    retry: 0,
    throwHttpErrors: false,
    redirect: 'error',
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    hooks: { beforeRequest },
  });
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
 * Sends one request and reads its answer within `timeoutMs`.
 *
 * @throws AttemptFailure on timeout, network failure or a redirect
 */
export async function attempt(http: KyInstance, options: AttemptOptions): Promise<AttemptResponse> {
  const budget = Math.max(1, Math.floor(options.timeoutMs));
  // A plain AbortController + setTimeout (not AbortSignal.timeout) so fake timers in the local runner govern it too.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, budget);
  try {
    const response = await http(options.path, {
      method: options.method,
      timeout: budget,
      signal: controller.signal,
      ...(options.searchParams ? { searchParams: options.searchParams } : {}),
      ...(options.json !== undefined ? { json: options.json } : {}),
      ...(options.body ? { body: options.body } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.context ? { context: options.context } : {}),
    });
    const read = !response.ok || options.readSuccessBody;
    let text = '';
    if (read) {
      text = await response.text();
    } else {
      await response.body?.cancel().catch(() => undefined);
    }
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (timedOut || (error instanceof Error && error.name === 'TimeoutError')) {
      throw new AttemptFailure('timeout', `no complete answer within ${budget} ms`);
    }
    const detail = describeNetworkError(error);
    if (/redirect/i.test(detail)) {
      throw new AttemptFailure('redirect', 'answered with a redirect, which is never followed');
    }
    throw new AttemptFailure('network', `network error (${detail})`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Parses a Retry-After header given in integer seconds (the form Genesys uses).
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

/** A promise that resolves after `ms` (the default sleep; tests inject their own). */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
