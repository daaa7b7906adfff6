/**
 * OAuth client-credentials tokens for Genesys Cloud, cached across warm Lambda invocations.
 *
 * Create one TokenProvider at module level: a token lives up to 48 h, an invocation a minute, and
 * the login host rate-limits token requests, so fetching one per invocation would be wasteful.
 */
import { createHash } from 'node:crypto';
import type { KyInstance } from 'ky';
import {
  GenesysAuthError,
  GenesysInvalidResponseError,
  GenesysThrottledError,
  GenesysUnavailableError,
  isGenesysApiError,
  redact,
  type GenesysErrorContext,
} from './errors.js';
import { answerDetails, attempt, AttemptFailure, createHttp, normalizeBaseUrl, parseJson, parseRetryAfterSeconds } from './http.js';
import { parseBody, ResponseShapeError, tokenResponseSchema } from './responses.js';

/** The OAuth client's id and secret, as stored in Secrets Manager. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenProviderOptions {
  /** e.g. https://login.mypurecloud.com (or the local twin's URL). */
  loginBaseUrl: string;
  /**
   * Returns the current credentials; called on every {@link TokenProvider.getToken} so a rotated
   * secret is noticed. It should cache (Powertools `getSecret` with `maxAge` does).
   */
  credentials: () => Promise<ClientCredentials>;
  /** Default budget of one token request when the caller gives none. Default 10 000 ms. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Epoch ms; injectable for deterministic tests. Default Date.now. */
  now?: () => number;
}

/** Counters of the token endpoint, for metrics. */
export interface TokenStats {
  /** Token requests sent. */
  requests: number;
  /** Token requests that failed. */
  failures: number;
}

interface CachedToken {
  value: string;
  /** Fingerprint of the credentials that obtained it. */
  credentialsKey: string;
  obtainedAt: number;
  expiresAt: number;
}

/** Renew when less than this much of the token's life remains (but see {@link renewalMarginMs}). */
const RENEW_BEFORE_MS = 5 * 60_000;
const RENEW_FRACTION = 0.1;
/** A token this close to expiry is not used even as a fallback. */
const FALLBACK_MIN_VALIDITY_MS = 30_000;

/**
 * How long before expiry a token is renewed: 5 minutes, or 10 % of its lifetime when that is
 * shorter, so a 5-minute token (the shortest Genesys allows) is not renewed on every call.
 */
export function renewalMarginMs(lifetimeMs: number): number {
  return Math.min(RENEW_BEFORE_MS, lifetimeMs * RENEW_FRACTION);
}

const TOKEN_PATH = '/oauth/token';

/**
 * Obtains, caches and renews client-credentials access tokens.
 * Concurrent callers share one in-flight request; a change of credentials drops the cached token.
 */
export class TokenProvider {
  readonly loginBaseUrl: string;
  readonly stats: TokenStats = { requests: 0, failures: 0 };
  readonly #credentials: () => Promise<ClientCredentials>;
  readonly #http: KyInstance;
  readonly #now: () => number;
  readonly #defaultTimeoutMs: number;
  #cached: CachedToken | undefined;
  #inFlight: { credentialsKey: string; promise: Promise<CachedToken> } | undefined;
  /** Strings to scrub from any text a server sends back (the secret, its Basic form, tokens). */
  #sensitive: string[] = [];

  constructor(options: TokenProviderOptions) {
    this.loginBaseUrl = normalizeBaseUrl(options.loginBaseUrl, 'loginBaseUrl');
    this.#credentials = options.credentials;
    this.#http = createHttp(this.loginBaseUrl, options.fetch);
    this.#now = options.now ?? (() => Date.now());
    this.#defaultTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /**
   * A valid access token: the cached one, or a new one when none is cached, it is about to expire,
   * or the credentials changed.
   *
   * @param options - `timeoutMs` bounds a token request this call has to make
   * @throws GenesysAuthError when the login host refuses the credentials (or they are empty)
   * @throws GenesysThrottledError / GenesysUnavailableError / GenesysInvalidResponseError otherwise
   */
  async getToken(options: { timeoutMs?: number } = {}): Promise<string> {
    const credentials = await this.#credentials();
    const key = credentialsKey(credentials);
    const cached = this.#cached;
    if (cached && cached.credentialsKey !== key) {
      // The secret was rotated: the old client's token may be revoked any moment.
      this.#cached = undefined;
    } else if (cached && !this.#needsRenewal(cached)) {
      return cached.value;
    }
    let inFlight = this.#inFlight;
    if (!inFlight || inFlight.credentialsKey !== key) {
      const promise = this.#request(credentials, key, options.timeoutMs ?? this.#defaultTimeoutMs);
      inFlight = { credentialsKey: key, promise };
      this.#inFlight = inFlight;
      const mine = inFlight;
      void promise.then(
        () => this.#clearInFlight(mine),
        () => this.#clearInFlight(mine),
      );
    }
    try {
      return (await inFlight.promise).value;
    } catch (error) {
      // Renewal is early on purpose; if the login host is briefly down, the current token still works.
      const current = this.#cached;
      if (
        current &&
        current.credentialsKey === key &&
        current.expiresAt - this.#now() > FALLBACK_MIN_VALIDITY_MS &&
        isGenesysApiError(error, 'unavailable', 'throttled')
      ) {
        return current.value;
      }
      throw error;
    }
  }

  /**
   * Drops the cached token after Genesys rejected it (401).
   *
   * @param token - the token that was rejected; a newer cached token is kept
   */
  invalidate(token?: string): void {
    if (!this.#cached || token === undefined || this.#cached.value === token) this.#cached = undefined;
  }

  /**
   * Hides the client secret and any token this provider handled in a server-provided text.
   *
   * @param text - text to scrub before it goes into an error message
   */
  redact(text: string): string {
    return redact(text, this.#sensitive);
  }

  #clearInFlight(entry: { credentialsKey: string; promise: Promise<CachedToken> }): void {
    if (this.#inFlight === entry) this.#inFlight = undefined;
  }

  #needsRenewal(token: CachedToken): boolean {
    return this.#now() >= token.expiresAt - renewalMarginMs(token.expiresAt - token.obtainedAt);
  }

  #remember(...values: string[]): void {
    for (const v of values) if (v && !this.#sensitive.includes(v)) this.#sensitive.push(v);
    // Old tokens and secrets are kept for redaction, but not without bound.
    if (this.#sensitive.length > 20) this.#sensitive.splice(0, this.#sensitive.length - 20);
  }

  async #request(credentials: ClientCredentials, key: string, timeoutMs: number): Promise<CachedToken> {
    const context: GenesysErrorContext = { operation: 'postOauthToken', method: 'POST', path: TOKEN_PATH };
    if (typeof credentials?.clientId !== 'string' || credentials.clientId === '' || typeof credentials.clientSecret !== 'string' || credentials.clientSecret === '') {
      throw new GenesysAuthError('The OAuth client credentials are incomplete: the secret must hold a non-empty "clientId" and "clientSecret".', context);
    }
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`, 'utf8').toString('base64');
    this.#remember(credentials.clientSecret, basic);
    const obtainedAt = this.#now();
    this.stats.requests += 1;
    try {
      const token = await this.#exchange(basic, timeoutMs, context);
      const cached: CachedToken = {
        value: token.access_token,
        credentialsKey: key,
        obtainedAt,
        expiresAt: obtainedAt + token.expires_in * 1000,
      };
      this.#remember(token.access_token);
      // Only cache it if the credentials did not change while the request was out.
      if (this.#inFlight?.credentialsKey === key) this.#cached = cached;
      return cached;
    } catch (error) {
      this.stats.failures += 1;
      throw error;
    }
  }

  async #exchange(basic: string, timeoutMs: number, context: GenesysErrorContext) {
    let response;
    try {
      response = await attempt(this.#http, {
        method: 'POST',
        path: TOKEN_PATH.slice(1),
        headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
        timeoutMs,
      });
    } catch (error) {
      if (error instanceof AttemptFailure) {
        const message = `Could not get an access token from ${this.loginBaseUrl}: ${error.detail}.`;
        if (error.reason === 'redirect') throw new GenesysInvalidResponseError(message, context);
        throw new GenesysUnavailableError(message, { ...context, attempts: 1 });
      }
      throw error;
    }
    const status = response.status;
    const answered: GenesysErrorContext = { ...context, status, ...answerDetails(response, (text) => this.redact(text)) };
    if (status >= 200 && status < 300) {
      const json = parseJson(response.text);
      if (!json.ok) {
        throw new GenesysInvalidResponseError(`The token answer from ${this.loginBaseUrl} is not JSON.`, answered);
      }
      try {
        return parseBody(tokenResponseSchema, json.value, { revealValues: false });
      } catch (error) {
        if (error instanceof ResponseShapeError) {
          throw new GenesysInvalidResponseError(`The token answer from ${this.loginBaseUrl} is unusable: ${error.message}.`, answered, error.field);
        }
        throw error;
      }
    }
    const said = answered.genesysMessage ? ` Genesys said: "${answered.genesysMessage}".` : '';
    if (status === 400 || status === 401 || status === 403) {
      throw new GenesysAuthError(
        `${this.loginBaseUrl} refused the OAuth client credentials (HTTP ${status}${answered.genesysCode ? ` ${answered.genesysCode}` : ''}): ` +
          `check clientId and clientSecret in the secret, that the OAuth client uses the Client Credentials grant, and that it belongs to this region.${said}`,
        answered,
      );
    }
    if (status === 429) {
      const retryAfter = parseRetryAfterSeconds(response.headers);
      throw new GenesysThrottledError(
        `${this.loginBaseUrl} rate-limited the token request (HTTP 429${retryAfter === undefined ? '' : `, Retry-After ${retryAfter} s`}).`,
        answered,
        retryAfter,
      );
    }
    if (status >= 500) {
      throw new GenesysUnavailableError(`${this.loginBaseUrl} failed the token request (HTTP ${status}).${said}`, { ...answered, attempts: 1 });
    }
    throw new GenesysAuthError(`${this.loginBaseUrl} answered the token request with HTTP ${status}.${said}`, answered);
  }
}

/** A fingerprint of the credentials, so the cache can tell a rotation without keeping the secret around as a key. */
function credentialsKey(credentials: ClientCredentials): string {
  return createHash('sha256')
    .update(String(credentials?.clientId))
    .update('\u0000')
    .update(String(credentials?.clientSecret))
    .digest('hex');
}
