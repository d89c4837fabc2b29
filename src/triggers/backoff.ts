/**
 * Retry delays: exponential from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
 * random) so a sink that comes back is not hit by every trigger's retries in the same instant.
 * A `Retry-After` the sink sent is a floor: we never come back sooner than it asked.
 */

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** [0, 1); injectable for tests. */
  random?: () => number;
}

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failed attempts. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, retryAfterMs?: number): number {
  const base = opts.baseMs ?? 1000;
  const max = opts.maxMs ?? 3_600_000;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 40));
  const jittered = ceiling / 2 + (opts.random ?? Math.random)() * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
