/**
 * OAuth client credentials and the per-client rate limit, both on a configurable clock so tokens can
 * expire and rate windows can pass in virtual time.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from './errors.js';

/** An OAuth client-credentials client the twin accepts. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Issues and checks bearer tokens for the org's clients; each token belongs to the client that asked for it. */
export class TokenIssuer {
  private readonly tokens = new Map<string, { clientId: string; expires: number }>();
  private readonly secrets: Map<string, string>;

  constructor(
    clients: readonly OAuthClient[],
    private readonly lifetimeSeconds: number,
    /** Clock tokens expire on (virtual ms). */
    private readonly now: () => number,
  ) {
    this.secrets = new Map(clients.map((c) => [c.clientId, c.clientSecret]));
  }

  /**
   * Handles POST /oauth/token: Basic auth with the client, form grant_type=client_credentials.
   * Failures use the OAuth error shape ({error, description, error_description}) the login service sends.
   */
  issue(authorization: string | undefined, form: URLSearchParams): { status: number; body: unknown } {
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const clientId = decoded.slice(0, sep);
    if (!basic || sep < 0 || this.secrets.get(clientId) !== decoded.slice(sep + 1)) {
      return { status: 401, body: { error: 'invalid_client', description: 'client not found', error_description: 'client not found' } };
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', description: 'grant type not supported', error_description: 'grant type not supported' } };
    }
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { clientId, expires: this.now() + this.lifetimeSeconds * 1000 });
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: this.lifetimeSeconds } };
  }

  /**
   * Checks an API call's Authorization header.
   * @returns the id of the client the token was issued to
   * @throws ApiError 401 when missing, unknown or expired
   */
  authenticate(authorization: string | undefined): string {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!bearer) throw new ApiError(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
    const token = this.tokens.get(bearer[1]!);
    if (token === undefined || token.expires <= this.now()) throw new ApiError(401, 'bad.credentials', 'Invalid login credentials.');
    return token.clientId;
  }
}

/**
 * Sliding one-minute window of requests per OAuth client, like Genesys's API limit: every token of
 * one client counts against the same window, another client has its own.
 */
export class RateLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly requestsPerMinute: number,
    private readonly now: () => number,
  ) {}

  /**
   * Counts a request against the client.
   * @throws ApiError 429 with Retry-After (whole seconds until the window has room) when over the limit
   */
  admit(clientId: string): void {
    const now = this.now();
    let times = this.recent.get(clientId);
    if (!times) this.recent.set(clientId, (times = []));
    while (times.length && times[0]! <= now - 60_000) times.shift();
    if (times.length >= this.requestsPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((times[0]! + 60_000 - now) / 1000));
      throw rateLimited(retryAfter);
    }
    times.push(now);
  }
}

/** Genesys's normalised 429 (pacing.md section 1; examples/constructed-429-response.txt). */
export function rateLimited(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    'too.many.requests.retry.after',
    `Rate limit exceeded the maximum. Retry the request in [${retryAfterSeconds}] seconds`,
    [],
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
