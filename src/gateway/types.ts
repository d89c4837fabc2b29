/** The contract every layer above the gateway codes against. */
import type { BudgetInfo } from './budget.ts';
import type { ThrottleStats } from './throttle.ts';

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

/** A request whose answer is a file (the quote PDF), not JSON. */
export interface GatewayDownload extends GatewayRequest {
  /**
   * Which of Stripe's hosts serves it, as the SDK names them: `files` (files.stripe.com, the
   * default: where the SDK's own `quotes.pdf` goes) or `api`. A connection with its own baseUrl
   * (the emulator, a Stripe-compatible server) serves both from that base URL.
   */
  apiBase?: 'files' | 'api';
}

export interface GatewayDownloadResult {
  /** The answer's Content-Type (`application/pdf`), or `application/octet-stream` when absent. */
  contentType: string;
  body: Buffer;
}

/** Counters a gateway keeps, for tests, benchmarks and the console. */
export interface GatewayStats {
  /** Logical requests (calls to `request` and `download`). */
  requests: number;
  succeeded: number;
  failed: number;
  /** Attempts made by the gateway (1 + its retries, per request). */
  attempts: number;
  /** HTTP exchanges on the wire (the SDK may re-send once on a socket closed under it). */
  exchanges: number;
  retries: number;
  retriesByReason: Partial<Record<string, number>>;
  /** Answers that were rate limits (429, or 400 "too quickly"). */
  rateLimited: number;
  /** Attempts that waited for the throttle, and the total wait. */
  throttledWaits: number;
  throttledMs: number;
  /** Moves to the next proxy address because the one in use was unreachable. */
  proxyFailovers: number;
}

export interface Gateway {
  /** Sends one logical request (throttled, retried, idempotent) and returns Stripe's JSON body. */
  request<T = any>(req: GatewayRequest): Promise<T>;
  /**
   * The same pipeline (throttle, retries, logging, error mapping, proxy route, Stripe-Account) for
   * an answer that is a file: the whole body, read within the attempt so a cut-off body is retried.
   * Optional so that gateways written before it (test doubles) still satisfy the interface.
   */
  download?(req: GatewayDownload): Promise<GatewayDownloadResult>;
  /** The connection's mode, from its key. */
  readonly mode: 'test' | 'live';
  readonly apiVersion: string;
  /** The connection's name. */
  readonly name?: string;
  readonly stats?: GatewayStats;
  /** The rate budget its calls wait for (local or shared), for a node's record. */
  readonly budget?: { readonly info: BudgetInfo; readonly stats: ThrottleStats };
  close(): Promise<void>;
}
