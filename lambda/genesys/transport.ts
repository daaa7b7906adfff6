/**
 * Authenticated, deadline-aware requests to the Genesys Cloud API, retried by ky.
 *
 * The retry policy, as Genesys's own SDKs apply it, is ky's `retry` options ({@link kyRetryOptions})
 * and hooks: 429 and 502/503/504, timeouts and network errors are retried with exponential backoff
 * and full jitter, or after the Retry-After of a 429 or 503 (over 180 s: give up at once); a 401 is
 * retried once, at once, with a fresh token; other 4xx and 500 are final here (a batched read
 * tries a chunk that ended in a 5xx or a timeout once more: batch.ts). Every request the adapter
 * sends is safe to repeat: reads, analytics queries (POSTs that only read), and a PATCH that sets
 * absolute values.
 *
 * Kept here because ky cannot do it: the invocation's deadline. ky knows none, so each attempt's
 * budget is cut to the time left (beforeRequest), and each wait is checked before ky starts it
 * (`waitFor`, through ky's `jitter`): a retry that would end past the deadline gives up now.
 */
import ky, { isHTTPError, type KyInstance, type KyResponse, type NormalizedOptions, type RetryOptions } from 'ky';
import {
  GenesysDeadlineError,
  GenesysInvalidResponseError,
  GenesysThrottledError,
  GenesysUnavailableError,
  isGenesysApiError,
  refusalError,
  type GenesysApiError,
  type GenesysErrorContext,
  type GenesysOperation,
} from './errors.js';
import { answerDetails, attemptFailure, boundAttempt, createHttp, parseJson, parseRetryAfterSeconds, readBody } from './http.js';
import { ResponseShapeError } from './responses.js';
import type { TokenProvider } from './token.js';

/** Counters for metrics. A view counts its own calls; the client counts all of them. */
export interface GenesysCallStats {
  /** HTTP requests sent to the API (token requests are counted by TokenProvider.stats). */
  requests: number;
  /** Requests sent again after a 429, 5xx, timeout, network error or 401. */
  retries: number;
  /** 429 answers received (API or login host). */
  throttled: number;
  /** Operations that ended in an error thrown to the caller. */
  errors: number;
}

/** A fresh, zeroed stats object. */
export function emptyStats(): GenesysCallStats {
  return { requests: 0, retries: 0, throttled: 0, errors: 0 };
}

/** Retry tuning. The defaults suit a once-a-minute Lambda. */
export interface RetryPolicy {
  /** Retries of one request, whatever the cause (the one after a 401 included). Default 3. */
  maxRetries: number;
  /** First backoff ceiling; doubles per retry. Default 250 ms. */
  baseDelayMs: number;
  /** Largest backoff ceiling. Default 8 000 ms. */
  maxDelayMs: number;
  /** Longest Retry-After honoured; longer ones give up at once, as Genesys's SDKs do. Default 180 s. */
  maxRetryAfterSeconds: number;
  /** No request is started with less time than this left before the deadline. Default 100 ms. */
  minAttemptMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxRetries: 3,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterSeconds: 180,
  minAttemptMs: 100,
};

/** Statuses retried; of those, the ones whose Retry-After is waited. */
const RETRIED_STATUSES = [429, 502, 503, 504];
const RETRY_AFTER_STATUSES = [429, 503];

/**
 * The retry policy as ky `retry` options.
 *
 * @param random - [0, 1), for the jitter
 * @param checks - what ky cannot decide: `shouldRetry` (ky's), and `waitFor`, which turns ky's
 *   jittered backoff into the wait to use (the server's Retry-After when it sent one), or throws to
 *   give up instead
 */
export function kyRetryOptions(
  policy: RetryPolicy,
  random: () => number,
  checks: { shouldRetry: NonNullable<RetryOptions['shouldRetry']>; waitFor: (backoffMs: number) => number },
): RetryOptions {
  return {
    limit: policy.maxRetries,
    methods: ['get', 'post', 'patch'],
    statusCodes: RETRIED_STATUSES,
    // Retry-After is waitFor's, not ky's: ky also reads four other headers and dates, so the deadline could
    // not be checked against its wait, and above maxRetryAfter it waits the cap where Genesys's SDKs give up.
    afterStatusCodes: [],
    // The ceiling is capped here, not with backoffLimit: ky applies that after the jitter, which would pile retries at the cap.
    delay: (retry) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1)),
    // Full jitter: spreads the retries of concurrent invocations instead of synchronising them. ky calls
    // it with the backoff right before it waits: the one place the wait can still be changed or refused.
    jitter: (ceiling) => checks.waitFor(random() * ceiling),
    retryOnTimeout: true,
    shouldRetry: checks.shouldRetry,
  };
}

/** One API request as the client describes it. */
export interface ApiRequest<T> {
  operation: GenesysOperation;
  method: 'GET' | 'POST' | 'PATCH';
  /** Absolute path with ids already encoded, e.g. /api/v2/routing/queues/abc. */
  path: string;
  searchParams?: URLSearchParams;
  json?: unknown;
  /** Turns the parsed JSON body into the result; may throw ResponseShapeError. Omitted: the body is not parsed. */
  parse?: (body: unknown) => T;
  /** A success may come without a usable body (a PATCH's 204): `parse` then gets undefined instead of the request failing. */
  bodyOptional?: boolean;
  /** What the request is about, for messages (e.g. "campaign 5d1e..."). */
  subject?: string;
  /** The single field a write sends, so a 400 can name it and its value. */
  sentField?: { field: string; value: unknown };
}

/** The per-call limits and counters of a view. */
export interface CallScope {
  deadlineEpochMs: number;
  stats: readonly GenesysCallStats[];
}

export interface TransportOptions {
  apiBaseUrl: string;
  tokens: TokenProvider;
  requestTimeoutMs: number;
  fetch?: typeof fetch;
  now: () => number;
  random: () => number;
  retry: RetryPolicy;
}

/** Why the latest attempt failed (`detail` is secret-free, e.g. "HTTP 503 service.unavailable"), and the wait the server asked for. */
interface Failure {
  detail: string;
  context: GenesysErrorContext;
  throttled: boolean;
  retryAfterSeconds?: number;
}

/**
 * One request through all its attempts, as the hooks see it: HTTP requests sent, retries begun
 * (after a token failure too), the latest attempt's budget (ms) and token, whether the retry with
 * a fresh token after a 401 was taken, and the latest failure.
 */
interface Call {
  request: ApiRequest<unknown>;
  scope: CallScope;
  base: GenesysErrorContext;
  attempts: number;
  retries: number;
  budgetMs: number;
  token?: string;
  refreshed: boolean;
  last?: Failure;
}

/** Sends API requests with the bearer token, retries and deadline. Shared by the client and its views. */
export class GenesysTransport {
  readonly #http: KyInstance;
  readonly #options: TransportOptions;
  readonly #redact: (text: string) => string;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#redact = (text) => options.tokens.redact(text);
    this.#http = createHttp(options.apiBaseUrl, options.fetch);
  }

  /**
   * Sends a request, retrying as the policy allows within the scope's deadline.
   *
   * @returns the parsed result, or undefined when the request has no `parse`
   * @throws GenesysApiError of the kind that describes the failure
   */
  async send<T>(request: ApiRequest<T>, scope: CallScope): Promise<T> {
    const call: Call = { request, scope, base: { operation: request.operation, method: request.method, path: request.path }, attempts: 0, retries: 0, budgetMs: 0, refreshed: false };
    try {
      const response = await this.#http(request.path.replace(/^\//, ''), {
        method: request.method,
        ...(request.searchParams ? { searchParams: request.searchParams } : {}),
        ...(request.json !== undefined ? { json: request.json } : {}),
        headers: { accept: 'application/json' },
        retry: kyRetryOptions(this.#options.retry, this.#options.random, {
          shouldRetry: ({ error }) => (this.#failure(call, error) ? undefined : false),
          waitFor: (backoffMs) => this.#waitFor(call, backoffMs),
        }),
        hooks: {
          beforeRequest: [(kyRequest, options) => this.#startAttempt(call, kyRequest, options)],
          afterResponse: [readBody, (_request, _options, response, state) => this.#answered(call, response, state.retryCount < this.#options.retry.maxRetries)],
          beforeRetry: [
            () => {
              call.retries += 1;
              bump(scope, 'retries');
            },
          ],
        },
      });
      const text = await response.text();
      return this.#parse(request, text, { ...call.base, status: response.status, attempts: call.attempts, ...answerDetails({ status: response.status, headers: response.headers, text }, this.#redact) });
    } catch (error) {
      bump(scope, 'errors');
      throw this.#finalError(call, error);
    }
  }

  /** beforeRequest: no attempt past the deadline; the bearer header; the attempt's budget. */
  async #startAttempt(call: Call, request: Request, options: NormalizedOptions): Promise<Request> {
    const token = await this.#options.tokens.getToken({ timeoutMs: this.#budget(call) }).catch((error: unknown) => {
      if (isGenesysApiError(error, 'throttled')) bump(call.scope, 'throttled');
      throw error;
    });
    call.budgetMs = this.#budget(call);
    call.attempts += 1;
    call.token = token;
    bump(call.scope, 'requests');
    request.headers.set('authorization', `Bearer ${token}`);
    return boundAttempt(request, options, call.budgetMs);
  }

  /** afterResponse: remembers a failed answer; retries a first 401 at once with a fresh token. */
  async #answered(call: Call, response: KyResponse, retryLeft: boolean) {
    if (response.ok) return undefined;
    const { status, headers } = response;
    const text = await response.text();
    const context: GenesysErrorContext = { ...call.base, status, attempts: call.attempts, ...answerDetails({ status, headers, text }, this.#redact) };
    if (status === 429) bump(call.scope, 'throttled');
    const retryAfterSeconds = RETRY_AFTER_STATUSES.includes(status) ? parseRetryAfterSeconds(headers) : undefined;
    call.last = { detail: `HTTP ${status}${context.genesysCode ? ` ${context.genesysCode}` : ''}`, context, throttled: status === 429, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
    if (status !== 401 || call.refreshed || !retryLeft) return undefined;
    // Tokens can be revoked early (client deleted, secret reset): one fresh token, at once, then give up.
    this.#options.tokens.invalidate(call.token);
    call.refreshed = true;
    return ky.retry({ delay: 0, code: 'TOKEN_REJECTED' });
  }

  /**
   * The wait before the next retry: the Retry-After of the last failure, else ky's backoff.
   *
   * @throws GenesysThrottledError / GenesysUnavailableError to give up instead, when a Retry-After
   *   exceeds the cap or the retry would end past the deadline
   */
  #waitFor(call: Call, backoffMs: number): number {
    const { retry, now } = this.#options;
    const failure = call.last!;
    const retryAfterSeconds = failure.retryAfterSeconds;
    const waitMs = retryAfterSeconds === undefined ? backoffMs : retryAfterSeconds * 1000;
    if (retryAfterSeconds !== undefined && retryAfterSeconds > retry.maxRetryAfterSeconds) {
      throw giveUp(failure, `Retry-After ${retryAfterSeconds} s exceeds the ${retry.maxRetryAfterSeconds} s the adapter waits`);
    }
    const left = call.scope.deadlineEpochMs - now();
    if (waitMs + retry.minAttemptMs > left) {
      throw giveUp(
        failure,
        retryAfterSeconds !== undefined
          ? `Retry-After ${retryAfterSeconds} s exceeds the ${Math.max(0, Math.round(left / 100) / 10)} s left before the invocation deadline`
          : `a retry in ${Math.round(waitMs)} ms would pass the invocation deadline`,
      );
    }
    return waitMs;
  }

  /** Time the next attempt may take: the request timeout, or less if the deadline is nearer. */
  #budget(call: Call): number {
    const left = call.scope.deadlineEpochMs - this.#options.now();
    if (left < this.#options.retry.minAttemptMs) {
      const { operation, method, path } = call.base;
      throw new GenesysDeadlineError(
        `Not sending ${operation} (${method} ${path}): only ${Math.max(0, Math.round(left))} ms remain before the invocation deadline` +
          (call.last ? ` (last attempt: ${call.last.detail}).` : '.'),
        { ...call.base, attempts: call.attempts },
        call.scope.deadlineEpochMs,
      );
    }
    return Math.max(1, Math.floor(Math.min(this.#options.requestTimeoutMs, left)));
  }

  /**
   * The failure a retry would follow, remembered for the give-up message: an answer, a timeout, a
   * network error, or no token for now. Undefined for what is never retried: a deadline, a refused
   * token or credentials, a redirect, a bug.
   */
  #failure(call: Call, error: unknown): Failure | undefined {
    if (isHTTPError(error)) return call.last;
    const context = { ...call.base, attempts: call.attempts };
    if (isGenesysApiError(error, 'throttled', 'unavailable') && error.operation === 'postOauthToken') {
      const throttled = error instanceof GenesysThrottledError;
      const retryAfterSeconds = throttled ? error.retryAfterSeconds : undefined;
      return (call.last = { detail: `getting an access token failed: ${error.message}`, context, throttled, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
    }
    const failure = attemptFailure(error, call.budgetMs);
    if (!failure || failure.reason === 'redirect') return undefined;
    return (call.last = { detail: failure.detail, context, throttled: false });
  }

  /** The typed error for what ended the call. */
  #finalError(call: Call, error: unknown): unknown {
    if (isHTTPError(error) && !RETRIED_STATUSES.includes(error.response.status)) return refusalError(call.request, call.last!.context, call.refreshed);
    const failure = this.#failure(call, error);
    if (failure) return giveUp(failure, `gave up after ${call.retries + 1} attempts`);
    if (attemptFailure(error, call.budgetMs)?.reason === 'redirect') {
      return new GenesysInvalidResponseError(
        `Genesys Cloud ${describe(call.request)} answered with a redirect, which is never followed; only ${this.#options.apiBaseUrl} is contacted.`,
        { ...call.base, attempts: call.attempts },
      );
    }
    return error;
  }

  #parse<T>(request: ApiRequest<T>, text: string, context: GenesysErrorContext): T {
    if (!request.parse) return undefined as T;
    const json = parseJson(text);
    if (!json.ok) {
      if (request.bodyOptional) return request.parse(undefined);
      throw new GenesysInvalidResponseError(`Genesys Cloud answered ${describe(request)} with a body that is not valid JSON (${text.length} characters).`, context);
    }
    try {
      return request.parse(json.value);
    } catch (error) {
      if (error instanceof ResponseShapeError) {
        throw new GenesysInvalidResponseError(
          `Genesys Cloud answered ${describe(request)} with a body the adapter cannot use: ${this.#redact(error.message)}.`,
          context,
          error.field,
        );
      }
      throw error;
    }
  }
}

/** The error when retrying stops before the policy's retries are used up, or when they are. */
function giveUp(failure: Failure, reason: string): GenesysApiError {
  const { operation, method, path } = failure.context;
  const what = `${operation} (${method} ${path})`;
  return failure.throttled
    ? new GenesysThrottledError(`Genesys Cloud rate-limited ${what} (${failure.detail}); ${reason}.`, failure.context, failure.retryAfterSeconds)
    : new GenesysUnavailableError(`Genesys Cloud did not serve ${what} (${failure.detail}); ${reason}.`, failure.context);
}

function describe(request: ApiRequest<unknown>): string {
  return `${request.operation} (${request.method} ${request.path})`;
}

function bump(scope: CallScope, counter: keyof GenesysCallStats): void {
  for (const stats of scope.stats) stats[counter] += 1;
}
