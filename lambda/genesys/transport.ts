/**
 * Authenticated, deadline-aware requests to the Genesys Cloud API with retries.
 *
 * Policy (matches Genesys's own SDKs, bounded by the invocation's deadline):
 * - 429: wait Retry-After (integer seconds), unless it exceeds 180 s or the time left.
 * - 502/503/504, timeouts and network errors: exponential backoff with full jitter.
 * - 401: one retry with a fresh token. Other 4xx: no retry.
 * Every request the adapter sends is safe to repeat: reads, analytics queries, and a PATCH that
 * sets an absolute value.
 */
import type { KyInstance } from 'ky';
import {
  GenesysApiError,
  GenesysAuthError,
  GenesysBadRequestError,
  GenesysDeadlineError,
  GenesysInvalidResponseError,
  GenesysNotFoundError,
  GenesysPermissionError,
  GenesysRejectedError,
  GenesysThrottledError,
  GenesysUnavailableError,
  REQUIRED_PERMISSION,
  type GenesysErrorContext,
  type GenesysOperation,
} from './errors.js';
import { attempt, AttemptFailure, createHttp, parseJson, parseRetryAfterSeconds, type AttemptResponse } from './http.js';
import { errorBodySchema, ResponseShapeError } from './responses.js';
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
  /** Retries after 429/5xx/timeouts/network errors (the one retry after a 401 is extra). Default 3. */
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

/** One API request as the client describes it. */
export interface ApiRequest<T> {
  operation: GenesysOperation;
  method: 'GET' | 'POST' | 'PATCH';
  /** Absolute path with ids already encoded, e.g. /api/v2/routing/queues/abc. */
  path: string;
  searchParams?: URLSearchParams;
  json?: unknown;
  /** Turns the parsed JSON body into the result; may throw ResponseShapeError. Omitted: no body is read. */
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
  sleep: (ms: number) => Promise<void>;
  retry: RetryPolicy;
}

/** A reason to wait and try again. */
interface Retryable {
  throttled: boolean;
  /** Server-mandated wait, in seconds. */
  retryAfterSeconds?: number;
  /** Secret-free description of the last failure. */
  detail: string;
  context: GenesysErrorContext;
}

/** Sends API requests with the bearer token, retries and deadline. Shared by the client and its views. */
export class GenesysTransport {
  readonly #http: KyInstance;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
    // The one place the bearer header is attached: from the token the retry loop obtained for this attempt.
    this.#http = createHttp(options.apiBaseUrl, options.fetch, [
      (request, kyOptions) => {
        const token = (kyOptions.context as { token?: unknown } | undefined)?.token;
        if (typeof token === 'string') request.headers.set('authorization', `Bearer ${token}`);
      },
    ]);
  }

  /**
   * Sends a request, retrying as the policy allows within the scope's deadline.
   *
   * @returns the parsed result, or undefined when the request has no `parse`
   * @throws GenesysApiError of the kind that describes the failure
   */
  async send<T>(request: ApiRequest<T>, scope: CallScope): Promise<T> {
    try {
      return await this.#loop(request, scope);
    } catch (error) {
      bump(scope, 'errors');
      throw error;
    }
  }

  async #loop<T>(request: ApiRequest<T>, scope: CallScope): Promise<T> {
    const { now, retry, tokens } = this.#options;
    const base: GenesysErrorContext = { operation: request.operation, method: request.method, path: request.path };
    let attempts = 0;
    let retries = 0;
    let refreshedAfter401 = false;
    let lastProblem: string | undefined;

    for (;;) {
      const budget = this.#budget(scope, base, attempts, lastProblem);
      let pending: Retryable;
      let token: string;
      try {
        token = await tokens.getToken({ timeoutMs: budget });
      } catch (error) {
        if (!(error instanceof GenesysThrottledError || error instanceof GenesysUnavailableError)) throw error;
        if (error instanceof GenesysThrottledError) bump(scope, 'throttled');
        pending = {
          throttled: error instanceof GenesysThrottledError,
          ...(error instanceof GenesysThrottledError && error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
          detail: `getting an access token failed: ${error.message}`,
          context: { ...base, attempts },
        };
        lastProblem = pending.detail;
        await this.#waitBeforeRetry(pending, retries, scope);
        retries += 1;
        bump(scope, 'retries');
        continue;
      }

      const timeoutMs = this.#budget(scope, base, attempts, lastProblem);
      attempts += 1;
      bump(scope, 'requests');
      let response: AttemptResponse;
      try {
        response = await attempt(this.#http, {
          method: request.method,
          path: request.path.replace(/^\//, ''),
          ...(request.searchParams ? { searchParams: request.searchParams } : {}),
          ...(request.json !== undefined ? { json: request.json } : {}),
          headers: { accept: 'application/json' },
          timeoutMs,
          context: { token },
          readSuccessBody: request.parse !== undefined,
        });
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        if (error.reason === 'redirect') {
          throw new GenesysInvalidResponseError(
            `Genesys Cloud ${describe(request)} ${error.detail}; only ${this.#options.apiBaseUrl} is contacted.`,
            { ...base, attempts },
          );
        }
        pending = { throttled: false, detail: error.detail, context: { ...base, attempts } };
        lastProblem = pending.detail;
        await this.#waitBeforeRetry(pending, retries, scope);
        retries += 1;
        bump(scope, 'retries');
        continue;
      }

      const context: GenesysErrorContext = { ...base, status: response.status, attempts, ...this.#errorDetails(response) };
      if (response.status >= 200 && response.status < 300) return this.#parse(request, response, context);

      if (response.status === 401 && !refreshedAfter401) {
        // Tokens can be revoked early (client deleted, secret reset): one fresh token, then give up.
        tokens.invalidate(token);
        refreshedAfter401 = true;
        bump(scope, 'retries');
        continue;
      }
      if (response.status === 429 || response.status === 502 || response.status === 503 || response.status === 504) {
        const throttled = response.status === 429;
        if (throttled) bump(scope, 'throttled');
        const retryAfterSeconds = parseRetryAfterSeconds(response.headers);
        pending = {
          throttled,
          ...(retryAfterSeconds !== undefined && (throttled || response.status === 503) ? { retryAfterSeconds } : {}),
          detail: `HTTP ${response.status}${context.genesysCode ? ` ${context.genesysCode}` : ''}`,
          context,
        };
        lastProblem = pending.detail;
        await this.#waitBeforeRetry(pending, retries, scope);
        retries += 1;
        bump(scope, 'retries');
        continue;
      }
      throw this.#finalError(request, context);
    }
  }

  /** Time this attempt may take: the request timeout, or less if the deadline is nearer. */
  #budget(scope: CallScope, base: GenesysErrorContext, attempts: number, lastProblem: string | undefined): number {
    const left = scope.deadlineEpochMs - this.#options.now();
    if (left < this.#options.retry.minAttemptMs) {
      throw new GenesysDeadlineError(
        `Not sending ${base.operation} (${base.method} ${base.path}): only ${Math.max(0, Math.round(left))} ms remain before the invocation deadline` +
          (lastProblem ? ` (last attempt: ${lastProblem}).` : '.'),
        { ...base, attempts },
        scope.deadlineEpochMs,
      );
    }
    return Math.min(this.#options.requestTimeoutMs, left);
  }

  /** Sleeps before a retry, or throws when the policy or the deadline does not allow one. */
  async #waitBeforeRetry(pending: Retryable, retries: number, scope: CallScope): Promise<void> {
    const { retry, now, random, sleep } = this.#options;
    const { operation, method, path } = pending.context;
    const what = `${operation} (${method} ${path})`;
    const giveUp = (reason: string): never => {
      if (pending.throttled) {
        throw new GenesysThrottledError(`Genesys Cloud rate-limited ${what} (${pending.detail}); ${reason}.`, pending.context, pending.retryAfterSeconds);
      }
      throw new GenesysUnavailableError(`Genesys Cloud did not serve ${what} (${pending.detail}); ${reason}.`, pending.context);
    };
    if (retries >= retry.maxRetries) giveUp(`gave up after ${retries + 1} attempts`);
    if (pending.retryAfterSeconds !== undefined && pending.retryAfterSeconds > retry.maxRetryAfterSeconds) {
      giveUp(`Retry-After ${pending.retryAfterSeconds} s exceeds the ${retry.maxRetryAfterSeconds} s the adapter waits`);
    }
    const delayMs =
      pending.retryAfterSeconds !== undefined
        ? pending.retryAfterSeconds * 1000
        : // Full jitter: spreads the retries of concurrent invocations instead of synchronising them.
          random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** retries);
    const left = scope.deadlineEpochMs - now();
    if (delayMs + retry.minAttemptMs > left) {
      giveUp(
        pending.retryAfterSeconds !== undefined
          ? `Retry-After ${pending.retryAfterSeconds} s exceeds the ${Math.max(0, Math.round(left / 100) / 10)} s left before the invocation deadline`
          : `a retry in ${Math.round(delayMs)} ms would pass the invocation deadline`,
      );
    }
    await sleep(delayMs);
  }

  #parse<T>(request: ApiRequest<T>, response: AttemptResponse, context: GenesysErrorContext): T {
    if (!request.parse) return undefined as T;
    const json = parseJson(response.text);
    if (!json.ok) {
      if (request.bodyOptional) return request.parse(undefined);
      throw new GenesysInvalidResponseError(
        `Genesys Cloud answered ${describe(request)} with a body that is not valid JSON (${response.text.length} characters).`,
        context,
      );
    }
    try {
      return request.parse(json.value);
    } catch (error) {
      if (error instanceof ResponseShapeError) {
        throw new GenesysInvalidResponseError(
          `Genesys Cloud answered ${describe(request)} with a body the adapter cannot use: ${this.#options.tokens.redact(error.message)}.`,
          context,
          error.field,
        );
      }
      throw error;
    }
  }

  #errorDetails(response: AttemptResponse): Partial<GenesysErrorContext> {
    const redact = (s: string) => this.#options.tokens.redact(s);
    const header = response.headers.get('inin-correlation-id') ?? undefined;
    if (response.status < 300 || response.text === '') return header ? { correlationId: redact(header) } : {};
    const json = parseJson(response.text);
    const parsed = json.ok ? errorBodySchema.safeParse(json.value) : undefined;
    const body = parsed?.success ? parsed.data : {};
    const correlationId = header ?? body.contextId;
    return {
      ...(body.message ? { genesysMessage: redact(body.message) } : {}),
      ...(body.code ? { genesysCode: redact(body.code) } : {}),
      ...(correlationId ? { correlationId: redact(correlationId) } : {}),
    };
  }

  #finalError(request: ApiRequest<unknown>, context: GenesysErrorContext): GenesysApiError {
    const status = context.status ?? 0;
    const what = describe(request);
    const code = context.genesysCode ? ` ${context.genesysCode}` : '';
    const said = context.genesysMessage ? ` Genesys said: "${context.genesysMessage}".` : '';
    const ref = context.correlationId ? ` (correlation id ${context.correlationId})` : '';
    switch (true) {
      case status === 400: {
        const sent = request.sentField;
        const detail = sent ? ` The value sent was ${sent.field}=${JSON.stringify(sent.value)}${request.subject ? ` for ${request.subject}` : ''}.` : '';
        return new GenesysBadRequestError(`Genesys Cloud refused ${what} as a bad request (HTTP 400${code}).${detail}${said}${ref}`, context, sent?.field, sent?.value);
      }
      case status === 401:
        return new GenesysAuthError(
          `Genesys Cloud rejected the access token for ${what} (HTTP 401) even after a fresh token was fetched: ` +
            `check that the OAuth client is active, and that apiBaseUrl and loginBaseUrl are in the same region.${said}${ref}`,
          context,
        );
      case status === 403: {
        const permission = REQUIRED_PERMISSION[request.operation];
        const need = permission
          ? ` The OAuth client needs the permission ${permission}: add ${permission} to the role assigned to the OAuth client (Admin > OAuth > the client > Roles), in the division that holds ${request.subject ?? 'the object'}.`
          : '';
        return new GenesysPermissionError(`Genesys Cloud denied ${what} (HTTP 403${code}).${need}${said}${ref}`, context, permission);
      }
      case status === 404:
        return new GenesysNotFoundError(
          `Genesys Cloud found no ${request.subject ?? 'object'} for ${what} (HTTP 404${code}): check the id in the configuration, and that the OAuth client's role covers its division.${said}${ref}`,
          context,
        );
      case status >= 400 && status < 500:
        return new GenesysRejectedError(`Genesys Cloud rejected ${what} (HTTP ${status}${code}).${said}${ref}`, context);
      default:
        return new GenesysUnavailableError(`Genesys Cloud failed ${what} (HTTP ${status}${code}).${said}${ref}`, context);
    }
  }
}

function describe(request: ApiRequest<unknown>): string {
  return `${request.operation} (${request.method} ${request.path})`;
}

function bump(scope: CallScope, counter: keyof GenesysCallStats): void {
  for (const stats of scope.stats) stats[counter] += 1;
}
