/**
 * OAuth client credentials and the per-token rate limit, both on a configurable clock so tokens can
 * expire and rate windows can pass in virtual time.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from './errors.js';

/** Issues and checks bearer tokens for one client. */
export class TokenIssuer {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly lifetimeSeconds: number,
    /** Clock tokens expire on (virtual ms). */
    private readonly now: () => number,
  ) {}

  /**
   * Handles POST /oauth/token: Basic auth with the client, form grant_type=client_credentials.
   * Failures use the OAuth error shape ({error, description, error_description}) the login service sends.
   */
  issue(authorization: string | undefined, form: URLSearchParams): { status: number; body: unknown } {
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    if (!basic || sep < 0 || decoded.slice(0, sep) !== this.clientId || decoded.slice(sep + 1) !== this.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', description: 'client not found', error_description: 'client not found' } };
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', description: 'grant type not supported', error_description: 'grant type not supported' } };
    }
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, this.now() + this.lifetimeSeconds * 1000);
    return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: this.lifetimeSeconds } };
  }

  /**
   * Checks an API call's Authorization header.
   * @returns the token
   * @throws ApiError 401 when missing, unknown or expired
   */
  authenticate(authorization: string | undefined): string {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!bearer) throw new ApiError(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
    const expires = this.tokens.get(bearer[1]!);
    if (expires === undefined || expires <= this.now()) throw new ApiError(401, 'bad.credentials', 'Invalid login credentials.');
    return bearer[1]!;
  }
}

/** Sliding one-minute window of requests per token, like Genesys's per-token API limit. */
export class RateLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly requestsPerMinute: number,
    private readonly now: () => number,
  ) {}

  /**
   * Counts a request against the token.
   * @throws ApiError 429 with Retry-After (whole seconds until the window has room) when over the limit
   */
  admit(token: string): void {
    const now = this.now();
    let times = this.recent.get(token);
    if (!times) this.recent.set(token, (times = []));
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
