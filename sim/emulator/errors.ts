/**
 * Genesys Cloud error bodies. Every API error the emulator returns has the ErrorBody shape
 * {message, code, status, contextId, details, errors}, as the real platform's do.
 */
import { randomUUID } from 'node:crypto';

export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  contextId: string;
  details: Array<{ errorCode?: string; fieldName?: string; entityId?: string; entityName?: string }>;
  errors: ErrorBody[];
}

/** An error the request handlers throw; the server turns it into an ErrorBody response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorBody['details'] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The body Genesys sends for an error; contextId doubles as the correlation id. */
export function errorBody(status: number, code: string, message: string, contextId: string = randomUUID(), details: ErrorBody['details'] = []): ErrorBody {
  return { message, code, status, contextId, details, errors: [] };
}

/** 400 bad.request, naming the offending field in details when there is one. */
export const badRequest = (message: string, fieldName?: string): ApiError =>
  new ApiError(400, 'bad.request', message, fieldName ? [{ errorCode: 'invalid.value', fieldName }] : []);
/** 404 not.found. */
export const notFound = (message: string): ApiError => new ApiError(404, 'not.found', message);
