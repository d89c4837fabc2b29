/**
 * What a sink's answer means for a delivery, as a pure function: done, another attempt at a given
 * time, a dead letter, or the trigger disabled (the delivery stays pending for when it is back).
 */
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import type { SinkOutcome } from './sinks/types.ts';

export interface RetryPolicy {
  /** Attempts before a dead letter. */
  maxAttempts: number;
  /** Age (ms since the first attempt) after which a failure is a dead letter. */
  maxAgeMs: number;
  /** Attempts a refusal (a 4xx other than 408/410/429) gets before it is a dead letter. */
  maxRejects?: number;
  backoff?: BackoffOptions;
}

export type Decision =
  | { kind: 'ack' }
  | { kind: 'retry'; notBefore: number; error: string }
  | { kind: 'dead'; error: string }
  | { kind: 'disable'; error: string };

/** `attempts` includes the one just made; `firstAttemptAt` and `now` are epoch ms. */
export function decide(
  outcome: SinkOutcome,
  attempts: number,
  firstAttemptAt: number,
  now: number,
  policy: RetryPolicy,
): Decision {
  if (outcome.kind === 'ack') return { kind: 'ack' };
  if (outcome.kind === 'gone') return { kind: 'disable', error: outcome.error };
  const limit =
    outcome.kind === 'reject' ? Math.min(policy.maxRejects ?? 3, policy.maxAttempts) : policy.maxAttempts;
  if (attempts >= limit) return { kind: 'dead', error: `${outcome.error} (after ${attempts} attempts)` };
  if (now - firstAttemptAt >= policy.maxAgeMs) {
    return {
      kind: 'dead',
      error: `${outcome.error} (still failing ${Math.round((now - firstAttemptAt) / 1000)} s after the first attempt)`,
    };
  }
  const retryAfterMs = outcome.kind === 'retry' ? outcome.retryAfterMs : undefined;
  return {
    kind: 'retry',
    notBefore: now + backoffDelay(attempts, policy.backoff, retryAfterMs),
    error: outcome.error,
  };
}
