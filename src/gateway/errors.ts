/**
 * The one factory that turns whatever a request threw (a Stripe API error, a transport failure, a
 * proxy refusal) into a ConnectorError with a stable code. Stripe errors keep Stripe's facts (type,
 * code, param, request id, status, decline code). Every message names the method and path and
 * passes through the connection's redactor, since servers may echo what they were sent.
 */
import { ConnectorError, type ErrorCode } from '../errors.ts';
import type { Redactor } from '../connection/redact.ts';
import { redact as defaultRedact } from '../connection/redact.ts';
import { PROXY_CONNECT_TIMEOUT } from './proxy.ts';
import type { AttemptRecord, NonJsonAnswer } from './transport.ts';
import type { FailureFacts } from './retry.ts';

export interface StripeFacts {
  type?: string;
  code?: string;
  param?: string;
  requestId?: string;
  statusCode?: number;
  declineCode?: string;
  docUrl?: string;
}

export class StripeApiError extends ConnectorError {
  readonly stripe: StripeFacts;
  constructor(
    code: ErrorCode,
    message: string,
    stripe: StripeFacts,
    details: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(code, message, { ...details, stripe }, options);
    this.name = 'StripeApiError';
    this.stripe = stripe;
  }
}

const TLS_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_|ERR_TLS_|EPROTO$|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)/;

/** The underlying transport error of an SDK connection error, if any. */
export function transportCause(error: unknown): (Error & { code?: string }) | undefined {
  const detail = (error as { detail?: unknown })?.detail;
  if (detail instanceof Error) {
    const inner = (detail as { exception?: unknown }).exception;
    const cause = (inner instanceof Error ? inner : detail) as Error & { code?: string };
    return cause;
  }
  return undefined;
}

function stripeCode(
  statusCode: number | undefined,
  type: string | undefined,
  code: string | undefined,
): ErrorCode {
  if (type === 'idempotency_error') return 'STRIPE_IDEMPOTENCY';
  if (statusCode === 429 || code === 'rate_limit') return 'STRIPE_RATE_LIMITED';
  if (type === 'card_error' || statusCode === 402) return 'STRIPE_CARD_DECLINED';
  if (statusCode === 401) return 'STRIPE_AUTHENTICATION';
  if (statusCode === 403) return 'STRIPE_PERMISSION';
  if (statusCode === 404) return 'STRIPE_NOT_FOUND';
  if (statusCode === 409) return 'STRIPE_CONFLICT';
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return 'STRIPE_INVALID_REQUEST';
  return 'STRIPE_API_ERROR';
}

/**
 * The facts of a failed attempt, found once: they decide the retry (retry.ts classify) and the error
 * (toGatewayError). The node error code comes from the attempt record when the transport saw it (it
 * hides reset codes from the SDK), else from the error.
 */
export function failureFacts(error: unknown, record: AttemptRecord): FailureFacts & { status?: number } {
  const e = error as Record<string, any>;
  const status: number | undefined =
    e?.type === 'StripeConnectionError' ? undefined : (e?.statusCode ?? record.status);
  const errno =
    record.errno ??
    transportCause(error)?.code ??
    (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined);
  return {
    ...(status !== undefined ? { status } : {}),
    headers: e?.headers ?? record.headers,
    code: e?.code,
    message: e?.message,
    ...(errno ? { errno } : {}),
  };
}

export interface ErrorContext {
  /** The node error code of a transport failure, as failureFacts found it. */
  errno?: string;
  method: string;
  path: string;
  attempts?: number;
  /** Status of the last answer, from the transport (the SDK leaves it out for non-JSON bodies). */
  status?: number;
  proxy?: string;
  /** The last answer was an error that was not JSON: its content type and text. */
  nonJson?: NonJsonAnswer;
  baseUrl?: string;
  timeoutMs?: number;
  redact?: Redactor;
}

export function toGatewayError(error: unknown, ctx: ErrorContext): ConnectorError {
  const r = ctx.redact ?? defaultRedact;
  const where = `${ctx.method} ${ctx.path}`;
  const tries = ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : '';
  if (error instanceof ConnectorError) {
    if (error.message.includes(where)) return error;
    return new ConnectorError(error.code, r(`${error.message} (${where}${tries})`), error.details, {
      cause: error,
    });
  }
  const e = error as Record<string, any>;
  const cause = transportCause(error);
  if (cause instanceof ConnectorError) return toGatewayError(cause, ctx);

  if (ctx.nonJson && ctx.status !== undefined) return nonJsonError(error, ctx, ctx.nonJson, ctx.status);

  // An answer from Stripe (or a Stripe-compatible server).
  const statusCode: number | undefined =
    e?.statusCode ?? (e?.type !== 'StripeConnectionError' ? ctx.status : undefined);
  if (
    e?.type &&
    typeof e.type === 'string' &&
    e.type.startsWith('Stripe') &&
    e.type !== 'StripeConnectionError' &&
    statusCode !== undefined
  ) {
    const facts: StripeFacts = {
      ...(e.rawType ? { type: e.rawType } : {}),
      ...(e.code ? { code: e.code } : {}),
      ...(e.param ? { param: e.param } : {}),
      ...(e.requestId ? { requestId: e.requestId } : {}),
      statusCode,
      ...(e.decline_code ? { declineCode: e.decline_code } : {}),
      ...(e.doc_url ? { docUrl: e.doc_url } : {}),
    };
    const code = stripeCode(statusCode, e.rawType, e.code);
    const bits = [facts.type, facts.code, facts.param ? `param ${facts.param}` : undefined, facts.requestId]
      .filter(Boolean)
      .join(', ');
    const message = r(
      `${where} failed with HTTP ${statusCode}${tries}: ${e.message || 'no message'}${bits ? ` (${bits})` : ''}`,
    );
    return new StripeApiError(code, message, facts, { method: ctx.method, path: ctx.path }, { cause: error });
  }

  // The way there failed.
  const errno = ctx.errno ?? cause?.code ?? e?.code;
  const text = String(cause?.message ?? e?.message ?? error);
  const details: Record<string, unknown> = {
    method: ctx.method,
    path: ctx.path,
    ...(errno ? { errno } : {}),
  };
  const via = ctx.proxy ? ` via proxy ${ctx.proxy}` : '';
  if (/Proxy authentication failed/i.test(text)) {
    return new ConnectorError(
      'PROXY_AUTH_FAILED',
      r(`proxy ${ctx.proxy ?? ''} rejected the credentials for ${where}`),
      details,
      {
        cause: error,
      },
    );
  }
  if (ctx.proxy && errno === PROXY_CONNECT_TIMEOUT) {
    return new ConnectorError('PROXY_FAILED', r(`${where}: ${text}`), details, { cause: error });
  }
  if (errno === 'ETIMEDOUT' || /timeout/i.test(text)) {
    return new ConnectorError(
      'TIMEOUT',
      r(`${where} timed out${ctx.timeoutMs ? ` after ${ctx.timeoutMs} ms` : ''}${tries}${via}`),
      details,
      { cause: error },
    );
  }
  if (errno && TLS_CODES.test(errno)) {
    return new ConnectorError('TLS_FAILED', r(`${where}: TLS error ${errno}${via}: ${text}`), details, {
      cause: error,
    });
  }
  if (
    ctx.proxy &&
    (errno === 'ECONNREFUSED' || errno === 'ENOTFOUND' || errno === 'EHOSTUNREACH' || errno === 'ENETUNREACH')
  ) {
    return new ConnectorError(
      'PROXY_FAILED',
      r(`${where}: proxy ${ctx.proxy} is unreachable (${errno})`),
      details,
      { cause: error },
    );
  }
  if (errno || e?.type === 'StripeConnectionError') {
    return new ConnectorError(
      'CONNECTION_FAILED',
      r(`${where}: cannot reach ${ctx.baseUrl ?? 'Stripe'}${via} (${errno ?? text})${tries}`),
      details,
      { cause: error },
    );
  }
  if (e?.type === 'StripeAPIError') {
    return new ConnectorError('STRIPE_API_ERROR', r(`${where}: ${text}${tries}`), details, { cause: error });
  }
  return new ConnectorError('INTERNAL', r(`${where}: ${text}`), details, { cause: error });
}

/** An error answer that is not Stripe's JSON (a balancer's 502 page, a 431 from a server in the way). */
function nonJsonError(
  error: unknown,
  ctx: ErrorContext,
  answer: NonJsonAnswer,
  status: number,
): ConnectorError {
  const r = ctx.redact ?? defaultRedact;
  const tries = ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : '';
  const what = answer.contentType
    ? `a ${answer.contentType.split(';')[0]} body`
    : 'a body without a content type';
  const text = answer.excerpt ? `: "${answer.excerpt}"` : ' (empty)';
  const facts: StripeFacts = { statusCode: status };
  return new StripeApiError(
    stripeCode(status, undefined, undefined),
    r(
      `${ctx.method} ${ctx.path} failed with HTTP ${status}${tries}; the answer is not Stripe's JSON but ${what}${text}`,
    ),
    facts,
    {
      method: ctx.method,
      path: ctx.path,
      status,
      ...(answer.contentType ? { contentType: answer.contentType } : {}),
    },
    { cause: error },
  );
}
