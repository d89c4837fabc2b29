/** Public option and record types of the emulator (re-exported by index.ts). */

export interface FaultSpec {
  /** Rate (0..1) of answers with a given 5xx status, e.g. { 500: 0.05, 503: 0.01 }. */
  status?: Record<number, number>;
  /** Rate of requests that get no answer until `timeoutMs` passes, then the socket closes. */
  timeout?: number;
  /** Rate of connections destroyed without an answer, before the request is handled. */
  drop?: number;
  /**
   * Rate of requests handled (the write happens, an idempotency key's answer is saved) whose answer
   * is then lost: the connection is destroyed instead. CLI spelling `drop-after:0.05`.
   */
  dropAfter?: number;
  /** Rate of answers delayed by `slowMs`. */
  slow?: number;
  slowMs?: number;
  timeoutMs?: number;
}

export interface EmulatorOptions {
  /** 0 = random (default for tests); CLI default 12111. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 'none'. */
  seed?: 'demo' | 'none';
  /** Persist state across restarts (JSON). Default: in memory. */
  dataFile?: string;
  latency?: { ms: number; jitterMs?: number };
  /** Requests/s per API key; beyond → 429 rate_limit with Stripe-Should-Retry. */
  rateLimit?: number;
  /** e.g. "500:0.05,timeout:0.01,drop:0.01,slow:0.02"; deterministic with randomSeed. */
  faults?: string | FaultSpec;
  randomSeed?: number;
  /** Used for endpoints created without an explicit one (optional). */
  webhookSecret?: string;
  log?: (line: string) => void;
  /**
   * How many of the most recent requests `requests` keeps (older ones are dropped, so a
   * long-running emulator does not grow without limit). Default 100,000; 0 records none.
   */
  maxRecordedRequests?: number;
  /**
   * Which account each API key belongs to: `{ "sk_test_A": "acct_A", "pk_test_A": "acct_A" }`.
   * Distinct keys can then hold distinct accounts' data (and GET /v1/account answers their id);
   * keys not listed belong to the default account. Test and live keys stay separate namespaces.
   */
  accounts?: Record<string, string>;
  /** Webhook retry schedule: attempts in all, first delay (doubling). Default 4 attempts, 1000 ms. */
  webhookRetry?: { attempts?: number; baseMs?: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  account?: string;
  livemode: boolean;
  idempotencyKey?: string;
  /** The status answered; -1: dropped or timed out before handling; -2: handled, answer lost (drop-after). */
  status: number;
  at: number;
}

export interface Emulator {
  url: string;
  port: number;
  /** The most recent requests received, oldest first, as a fresh snapshot (tests assert pushdown with this). */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /** Bulk-load objects fast for a key mode/account; fills id/object/created/livemode defaults. */
  load(
    resourceId: string,
    objects: Array<Record<string, unknown>>,
    opts?: { livemode?: boolean; account?: string },
  ): void;
  /** Change conditions at run time. */
  setConditions(c: Partial<Pick<EmulatorOptions, 'latency' | 'rateLimit' | 'faults'>>): void;
  close(): Promise<void>;
}
