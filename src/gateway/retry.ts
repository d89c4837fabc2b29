/**
 * When to try again and how long to wait. Stripe's advice, applied: retry rate limits, lock
 * timeouts, server errors and network failures with exponential backoff and jitter; obey
 * `Stripe-Should-Retry` (the server knows whether a retry can succeed) and `Retry-After`.
 * Writes are safe to repeat because every POST carries an idempotency key that does not change.
 */

export type RetryReason =
  'rate_limit' | 'lock_timeout' | 'server_error' | 'network' | 'timeout' | 'server_advice';

export interface FailureFacts {
  /** HTTP status, when an answer arrived. */
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  /** Stripe's error code (`lock_timeout`, `rate_limit`, ...). */
  code?: string;
  message?: string;
  /** Node's error code for transport failures (ECONNRESET, ETIMEDOUT, ...). */
  errno?: string;
}

export interface RetryDecision {
  retry: boolean;
  reason?: RetryReason;
  /** Server-imposed wait (Retry-After), authoritative over backoff. */
  afterMs?: number;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function header(headers: FailureFacts['headers'], name: string): string | undefined {
  const v = headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function isRateLimit(f: FailureFacts): boolean {
  return (
    f.status === 429 ||
    (f.status === 400 && (f.code === 'rate_limit' || /too quickly/i.test(f.message ?? '')))
  );
}

export function classify(f: FailureFacts): RetryDecision {
  const afterMs = parseRetryAfter(header(f.headers, 'retry-after'));
  const withAfter = (d: RetryDecision): RetryDecision => (afterMs !== undefined ? { ...d, afterMs } : d);

  if (f.status === undefined) {
    if (f.errno === 'ETIMEDOUT') return { retry: true, reason: 'timeout' };
    if (f.errno && NETWORK_CODES.has(f.errno)) return { retry: true, reason: 'network' };
    // Refused connections, DNS failures, TLS and proxy errors: repeating won't help.
    return { retry: false };
  }
  const advice = header(f.headers, 'stripe-should-retry');
  if (advice === 'false') return { retry: false };
  if (isRateLimit(f)) return withAfter({ retry: true, reason: 'rate_limit' });
  if (f.status === 409 && (f.code === 'lock_timeout' || f.code === 'idempotency_key_in_use')) {
    return withAfter({ retry: true, reason: 'lock_timeout' });
  }
  if (f.status >= 500) return withAfter({ retry: true, reason: 'server_error' });
  // The server may advise a retry where the status alone wouldn't (e.g. other conflicts).
  if (advice === 'true') return withAfter({ retry: true, reason: 'server_advice' });
  return { retry: false };
}

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Upper bound of any computed delay, ms. */
  maxMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 8_000 };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so concurrent
 * callers that failed together don't come back together, yet none retries almost at once.
 */
export function backoffDelay(retry: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** retry);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Caps a server's Retry-After: a misconfigured server must not park a caller for hours. */
export const MAX_RETRY_AFTER_MS = 60_000;
