/**
 * Failures only a server has (no token, a token without the scope, an unknown connection, too many
 * requests, a body over the limit, not ready yet). They have the same shape as src/errors.ts's
 * table (an HTTP status and a CLI exit code) and belong in it: they live here until the lead moves
 * them there, and `errorSpec` reads both so every route answers from one lookup.
 */
import { ConnectorError, ERROR_CODES, type ErrorSpec } from '../errors.ts';

export const SERVER_ERROR_CODES = {
  UNAUTHENTICATED: { status: 401, exit: 1 },
  FORBIDDEN: { status: 403, exit: 1 },
  NOT_FOUND: { status: 404, exit: 2 },
  UNKNOWN_CONNECTION: { status: 404, exit: 2 },
  CONNECTION_EXISTS: { status: 409, exit: 2 },
  PAYLOAD_TOO_LARGE: { status: 413, exit: 2 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, exit: 2 },
  RATE_LIMITED: { status: 429, exit: 1 },
  NOT_READY: { status: 503, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;

export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

/** A server-side failure with one of the codes above; details as ConnectorError's. */
export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: ServerErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
    this.details = details;
  }
}

export type AnyCode = ServerErrorCode | keyof typeof ERROR_CODES;

export function errorSpec(code: AnyCode): ErrorSpec {
  return (ERROR_CODES as Record<string, ErrorSpec>)[code] ?? SERVER_ERROR_CODES[code as ServerErrorCode];
}

export type CodedError = ConnectorError | ServerError;
