/** The contract every layer above the gateway codes against. */

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface GatewayRequest {
  method: HttpMethod;
  /** A Stripe path with its ids filled in: `/v1/payment_intents/pi_123/confirm`. */
  path: string;
  /** Query (GET/DELETE) or form body (POST) parameters, nested as Stripe expects. */
  params?: Record<string, unknown>;
  /** Caller's own key; otherwise every POST gets a generated one that is reused across retries. */
  idempotencyKey?: string;
  /** Overrides the connection's account (Stripe-Account) for this call. */
  stripeAccount?: string;
  /** Aborts waiting (throttle, retries) and the request. */
  signal?: AbortSignal;
}

export interface Gateway {
  /** Sends one logical request (throttled, retried, idempotent) and returns Stripe's JSON body. */
  request<T = any>(req: GatewayRequest): Promise<T>;
  /** The connection's mode, from its key. */
  readonly mode: 'test' | 'live';
  readonly apiVersion: string;
  close(): Promise<void>;
}
