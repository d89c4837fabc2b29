/** Stripe's error shape. Every failure the emulator reports leaves through `StripeError`. */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export class StripeError extends Error {
  readonly status: number;
  readonly type: StripeErrorType;
  readonly code?: string;
  readonly param?: string;
  /** Extra members of `error` (decline_code, charge, payment_intent, ...). */
  readonly extra: Record<string, unknown>;
  /** Stripe-Should-Retry header value, if Stripe would send one. */
  readonly shouldRetry?: boolean;
  /** Rejected before the operation ran (routing, auth, validation): nothing is saved for its idempotency key. */
  early = false;

  constructor(
    status: number,
    type: StripeErrorType,
    message: string,
    opts: { code?: string; param?: string; extra?: Record<string, unknown>; shouldRetry?: boolean } = {},
  ) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = opts.code;
    this.param = opts.param;
    this.extra = opts.extra ?? {};
    this.shouldRetry = opts.shouldRetry;
  }

  body(requestId: string, livemode: boolean): Record<string, unknown> {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.code) {
      error.code = this.code;
      error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`;
    }
    if (this.param) error.param = this.param;
    Object.assign(error, this.extra);
    error.request_log_url = `https://dashboard.stripe.com/${livemode ? '' : 'test/'}logs/${requestId}?t=${Math.floor(Date.now() / 1000)}`;
    return { error };
  }
}

export const invalid = (message: string, code?: string, param?: string, status = 400): StripeError =>
  new StripeError(status, 'invalid_request_error', message, { code, param });

export const missing = (resource: string, id: string, param = 'id'): StripeError =>
  new StripeError(404, 'invalid_request_error', `No such ${resource.replace(/[._]/g, ' ')}: '${id}'`, {
    code: 'resource_missing',
    param,
  });

/** The fault switch's answer: the only place "emulated fault" is ever said. */
export const faultError = (status: number): StripeError =>
  new StripeError(status, 'api_error', 'An unknown error occurred (emulated fault).', { shouldRetry: true });

/** A bug in the emulator itself (logged with its stack; the client sees Stripe's generic 500). */
export const internalError = (): StripeError =>
  new StripeError(500, 'api_error', 'An unknown error occurred. Please try again later.', {
    shouldRetry: true,
  });
