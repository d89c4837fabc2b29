/**
 * The connector's errors: one base class and one table of stable codes. Every layer throws these,
 * so the CLI and the server can map any failure to an exit code / HTTP status without guessing.
 */

export interface ErrorSpec {
  /** HTTP status the server answers with. */
  status: number;
  /** CLI exit code: 2 for bad input, 1 for everything else. */
  exit: 1 | 2;
}

export const ERROR_CODES = {
  // Bad input: the caller can fix it.
  INVALID_ARGUMENT: { status: 400, exit: 2 },
  UNKNOWN_ENTITY: { status: 404, exit: 2 },
  UNKNOWN_ACTION: { status: 404, exit: 2 },
  UNKNOWN_FIELD: { status: 400, exit: 2 },
  MISSING_FIELD: { status: 400, exit: 2 },
  INVALID_VALUE: { status: 400, exit: 2 },
  OPERATION_NOT_SUPPORTED: { status: 400, exit: 2 },
  FILTER_SYNTAX: { status: 400, exit: 2 },
  QUERY_UNSUPPORTED: { status: 400, exit: 2 },
  QUERY_TOO_LARGE: { status: 400, exit: 2 },
  /** A request above the gateway's size bounds (gateway/limits.ts), refused before it is sent. */
  REQUEST_TOO_LARGE: { status: 413, exit: 2 },
  CONNECTION_INVALID: { status: 400, exit: 2 },
  SECRET_UNRESOLVED: { status: 400, exit: 2 },
  /** Refused by a safety policy (the MCP server's --allow-writes/--allow-money/--allow-live). */
  POLICY_REFUSED: { status: 403, exit: 2 },
  /** A billing rule refused the change (key swap to another account or mode, catalog placement). */
  BILLING_REFUSED: { status: 409, exit: 2 },
  // Stripe answered with an error.
  STRIPE_INVALID_REQUEST: { status: 400, exit: 1 },
  STRIPE_AUTHENTICATION: { status: 401, exit: 1 },
  STRIPE_PERMISSION: { status: 403, exit: 1 },
  STRIPE_NOT_FOUND: { status: 404, exit: 1 },
  STRIPE_CARD_DECLINED: { status: 402, exit: 1 },
  STRIPE_IDEMPOTENCY: { status: 409, exit: 1 },
  STRIPE_CONFLICT: { status: 409, exit: 1 },
  STRIPE_RATE_LIMITED: { status: 429, exit: 1 },
  STRIPE_API_ERROR: { status: 502, exit: 1 },
  // The way to Stripe failed.
  CONNECTION_FAILED: { status: 502, exit: 1 },
  PROXY_FAILED: { status: 502, exit: 1 },
  PROXY_AUTH_FAILED: { status: 502, exit: 1 },
  TLS_FAILED: { status: 502, exit: 1 },
  TIMEOUT: { status: 504, exit: 1 },
  // Only a server has these: no token, a token without the scope, an unknown connection, too many
  // requests, a body over the limit, not ready yet.
  UNAUTHENTICATED: { status: 401, exit: 1 },
  FORBIDDEN: { status: 403, exit: 1 },
  NOT_FOUND: { status: 404, exit: 2 },
  UNKNOWN_CONNECTION: { status: 404, exit: 2 },
  CONNECTION_EXISTS: { status: 409, exit: 2 },
  /** Only the operator may declare it (a command, a file, a network address, a secret of the host). */
  OPERATOR_ONLY: { status: 403, exit: 2 },
  /** A trigger's `destination:NAME` that the server's config does not declare. */
  UNKNOWN_DESTINATION: { status: 400, exit: 2 },
  /** Over a per-connection quota of the server's config (`api.triggers`). */
  QUOTA_EXCEEDED: { status: 409, exit: 2 },
  PAYLOAD_TOO_LARGE: { status: 413, exit: 2 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, exit: 2 },
  RATE_LIMITED: { status: 429, exit: 1 },
  NOT_READY: { status: 503, exit: 1 },
  // The store (SQLite file or PostgreSQL) could not be opened or reached.
  STORE_UNAVAILABLE: { status: 503, exit: 1 },
  /** A node would exceed the cluster's maximum (cluster/nodes.ts: maxNodes). */
  CLUSTER_FULL: { status: 503, exit: 1 },
  INTERNAL: { status: 500, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ConnectorError extends Error {
  readonly code: ErrorCode;
  /** Where the fault is: a field name, a filter position, a parameter. */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConnectorError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  /** What a client may see: never a stack. */
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Wraps anything thrown into a ConnectorError without losing the cause. */
export function toConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = (error as { code?: string })?.code;
  if (code && code in ERROR_CODES) {
    return new ConnectorError(code as ErrorCode, (error as Error).message, {}, { cause: error });
  }
  return new ConnectorError('INTERNAL', (error as Error)?.message ?? String(error), {}, { cause: error });
}
