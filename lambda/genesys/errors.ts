/**
 * Typed errors of the Genesys Cloud adapter.
 *
 * Every failure the adapter raises is a {@link GenesysApiError} with a `kind` the handler can switch
 * on, and a message an operator can act on. Messages never contain the client secret, an access
 * token or an Authorization header: errors carry only strings we built plus Genesys's own
 * (redacted, truncated) `code`/`message`, and never keep the ky request or response as a `cause`.
 */

/** What went wrong, coarse enough for the handler to decide: skip a campaign, stop the tick, alarm. */
export type GenesysErrorKind =
  /** 401 even after one retry with a fresh token, or the login endpoint refused the client credentials. */
  | 'auth'
  /** 403: the OAuth client's role lacks the operation's permission. */
  | 'permission'
  /** 400, or a value refused before sending (e.g. a fractional outboundLineCount). */
  | 'badRequest'
  /** 404: the campaign or queue does not exist (or is outside the client's divisions). */
  | 'notFound'
  /** Any other 4xx (405, 409, 415, 422, ...): not retried. */
  | 'rejected'
  /** 429 that could not be retried in time (Retry-After too long, or retries used up). */
  | 'throttled'
  /** 5xx, timeout or network failure after the retries allowed. */
  | 'unavailable'
  /** The body (or a redirect) was not what the adapter can use; names the field at fault. */
  | 'invalidResponse'
  /** Not started (or not retried) because the invocation's deadline is too close. */
  | 'deadline';

/** Names of the Genesys operations the adapter calls (the Platform SDK's operation ids). */
export type GenesysOperation =
  | 'postOauthToken'
  | 'getOutboundCampaigns'
  | 'patchOutboundCampaign'
  | 'getRoutingQueue'
  | 'getOutboundSettings'
  | 'postOutboundCampaignsPerformanceQuery'
  | 'postAnalyticsQueuesObservationsQuery'
  | 'postAnalyticsConversationsAggregatesQuery';

/**
 * The permission each operation needs (from the Platform SDK docs, release 259.0.0). The 403 message
 * names it, since "Forbidden" alone sends an operator hunting through role settings.
 */
export const REQUIRED_PERMISSION: Readonly<Record<GenesysOperation, string | undefined>> = {
  postOauthToken: undefined,
  getOutboundCampaigns: 'outbound:campaign:view',
  patchOutboundCampaign: 'outbound:campaign:edit',
  getRoutingQueue: 'routing:queue:view',
  getOutboundSettings: 'outbound:settings:view',
  // Genesys accepts either outbound:performance:view or outbound:campaign:view; the controller's role already has the latter.
  postOutboundCampaignsPerformanceQuery: 'outbound:campaign:view',
  postAnalyticsQueuesObservationsQuery: 'analytics:queueObservation:view',
  postAnalyticsConversationsAggregatesQuery: 'analytics:conversationAggregate:view',
};

/** Where a failure happened and what Genesys said about it. */
export interface GenesysErrorContext {
  operation: GenesysOperation;
  method: string;
  /** Path without the host or query string, e.g. /api/v2/outbound/campaigns/{id}. */
  path: string;
  /** HTTP status, when Genesys answered at all. */
  status?: number;
  /** ErrorBody.code (e.g. "too.many.requests.retry.after"), redacted. */
  genesysCode?: string;
  /** ErrorBody.message, redacted and truncated. */
  genesysMessage?: string;
  /** ININ-Correlation-Id header or ErrorBody.contextId: quote it to Genesys support. */
  correlationId?: string;
  /** How many HTTP attempts were made before giving up. */
  attempts?: number;
}

/** Base of every error the adapter throws. Switch on `kind`, or use `instanceof` on the subclasses. */
export class GenesysApiError extends Error {
  override name = 'GenesysApiError';
  readonly kind: GenesysErrorKind;
  readonly operation: GenesysOperation;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly genesysCode: string | undefined;
  readonly genesysMessage: string | undefined;
  readonly correlationId: string | undefined;
  readonly attempts: number | undefined;

  constructor(kind: GenesysErrorKind, message: string, context: GenesysErrorContext) {
    super(message);
    this.kind = kind;
    this.operation = context.operation;
    this.method = context.method;
    this.path = context.path;
    this.status = context.status;
    this.genesysCode = context.genesysCode;
    this.genesysMessage = context.genesysMessage;
    this.correlationId = context.correlationId;
    this.attempts = context.attempts;
  }

  /** Structured form for loggers; contains nothing secret by construction. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      operation: this.operation,
      method: this.method,
      path: this.path,
      status: this.status,
      genesysCode: this.genesysCode,
      correlationId: this.correlationId,
      attempts: this.attempts,
    };
  }
}

export class GenesysAuthError extends GenesysApiError {
  override name = 'GenesysAuthError';
  constructor(message: string, context: GenesysErrorContext) {
    super('auth', message, context);
  }
}

export class GenesysPermissionError extends GenesysApiError {
  override name = 'GenesysPermissionError';
  /** The permission to add to the OAuth client's role. */
  readonly permission: string | undefined;
  constructor(message: string, context: GenesysErrorContext, permission: string | undefined) {
    super('permission', message, context);
    this.permission = permission;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), permission: this.permission };
  }
}

export class GenesysBadRequestError extends GenesysApiError {
  override name = 'GenesysBadRequestError';
  /** The field we sent that Genesys (or our own pre-check) refused, when known (e.g. "maxCallsPerAgent"). */
  readonly field: string | undefined;
  /** The value of that field. */
  readonly value: unknown;
  constructor(message: string, context: GenesysErrorContext, field?: string, value?: unknown) {
    super('badRequest', message, context);
    this.field = field;
    this.value = value;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field, value: this.value };
  }
}

export class GenesysNotFoundError extends GenesysApiError {
  override name = 'GenesysNotFoundError';
  constructor(message: string, context: GenesysErrorContext) {
    super('notFound', message, context);
  }
}

export class GenesysRejectedError extends GenesysApiError {
  override name = 'GenesysRejectedError';
  constructor(message: string, context: GenesysErrorContext) {
    super('rejected', message, context);
  }
}

export class GenesysThrottledError extends GenesysApiError {
  override name = 'GenesysThrottledError';
  /** The last Retry-After Genesys sent, in seconds, when it sent one. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, context: GenesysErrorContext, retryAfterSeconds?: number) {
    super('throttled', message, context);
    this.retryAfterSeconds = retryAfterSeconds;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfterSeconds: this.retryAfterSeconds };
  }
}

export class GenesysUnavailableError extends GenesysApiError {
  override name = 'GenesysUnavailableError';
  constructor(message: string, context: GenesysErrorContext) {
    super('unavailable', message, context);
  }
}

export class GenesysInvalidResponseError extends GenesysApiError {
  override name = 'GenesysInvalidResponseError';
  /** Path of the offending field in the body (e.g. "results[0].data[2].stats.count"), when one is at fault. */
  readonly field: string | undefined;
  constructor(message: string, context: GenesysErrorContext, field?: string) {
    super('invalidResponse', message, context);
    this.field = field;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

export class GenesysDeadlineError extends GenesysApiError {
  override name = 'GenesysDeadlineError';
  readonly deadlineEpochMs: number;
  constructor(message: string, context: GenesysErrorContext, deadlineEpochMs: number) {
    super('deadline', message, context);
    this.deadlineEpochMs = deadlineEpochMs;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), deadlineEpochMs: this.deadlineEpochMs };
  }
}

/**
 * True when `error` is a {@link GenesysApiError}, optionally of one of the given kinds.
 *
 * @param error - anything caught
 * @param kinds - kinds to accept; any kind when omitted
 */
export function isGenesysApiError(error: unknown, ...kinds: GenesysErrorKind[]): error is GenesysApiError {
  return error instanceof GenesysApiError && (kinds.length === 0 || kinds.includes(error.kind));
}

/**
 * The error for an API answer that is not retried: what its status means, and what to do about it.
 *
 * @param request - what was sent: its subject ("campaign 5d1e..."), and the field a write sent
 * @param context - the operation, and what Genesys answered (status, code, message, correlation id)
 * @param freshTokenTried - for a 401: whether it came after a retry with a fresh token
 */
export function refusalError(
  request: { subject?: string | undefined; sentField?: { field: string; value: unknown } | undefined },
  context: GenesysErrorContext,
  freshTokenTried: boolean,
): GenesysApiError {
  const status = context.status ?? 0;
  const what = `${context.operation} (${context.method} ${context.path})`;
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
        `Genesys Cloud rejected the access token for ${what} (HTTP 401)${freshTokenTried ? ' even after a fresh token was fetched' : ', with no retry left to try a fresh one'}: ` +
          `check that the OAuth client is active, and that apiBaseUrl and loginBaseUrl are in the same region.${said}${ref}`,
        context,
      );
    case status === 403: {
      const permission = REQUIRED_PERMISSION[context.operation];
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

const MAX_GENESYS_TEXT = 300;

/**
 * Replaces every occurrence of the given sensitive strings with "[redacted]" and truncates the text.
 * Applied to all text Genesys sends back, since an echoing proxy or server could repeat a header.
 *
 * @param text - text received from a server
 * @param sensitive - secrets and tokens to hide (empty strings are ignored)
 */
export function redact(text: string, sensitive: readonly string[]): string {
  let out = text;
  for (const s of sensitive) {
    if (s.length >= 4) out = out.split(s).join('[redacted]');
  }
  // Bearer/Basic credentials we do not know about (e.g. an older token) are hidden too.
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]');
  return out.length > MAX_GENESYS_TEXT ? `${out.slice(0, MAX_GENESYS_TEXT)}...` : out;
}
