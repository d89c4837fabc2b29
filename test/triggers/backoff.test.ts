import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../src/triggers/backoff.ts';
import { decide } from '../../src/triggers/decide.ts';
import { TokenBucket } from '../../src/triggers/rate.ts';

describe('backoffDelay', () => {
  it('doubles per attempt within [ceiling/2, ceiling], capped', () => {
    const at = (attempt: number, r: number) =>
      backoffDelay(attempt, { baseMs: 1000, maxMs: 60_000, random: () => r });
    expect([1, 2, 3, 4].map((a) => at(a, 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => at(a, 0.999999))).toEqual([1000, 2000, 4000, 8000]);
    expect(at(30, 0.5)).toBe(45_000);
  });

  it('never comes back sooner than Retry-After', () => {
    expect(backoffDelay(1, { random: () => 0 }, 30_000)).toBe(30_000);
    expect(backoffDelay(10, { random: () => 0, maxMs: 600_000 }, 5)).toBe(256_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(100_000 + 9000).toUTCString(), 100_000)).toBe(9000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('decide', () => {
  const policy = { maxAttempts: 5, maxAgeMs: 3_600_000, backoff: { random: () => 0 } };
  it('retries a retryable failure honouring Retry-After, then dead-letters after N attempts', () => {
    expect(decide({ kind: 'retry', error: 'e', retryAfterMs: 20_000 }, 1, 0, 1000, policy)).toEqual({
      kind: 'retry',
      notBefore: 21_000,
      error: 'e',
    });
    expect(decide({ kind: 'retry', error: 'e' }, 5, 0, 1000, policy)).toMatchObject({
      kind: 'dead',
      error: 'e (after 5 attempts)',
    });
  });
  it('dead-letters after the age limit whatever the attempt count', () => {
    expect(decide({ kind: 'retry', error: 'e' }, 2, 0, 3_600_000, policy).kind).toBe('dead');
  });
  it('gives a refusal (4xx) only a few attempts, and disables on gone (410)', () => {
    expect(decide({ kind: 'reject', error: '400' }, 2, 0, 1, policy).kind).toBe('retry');
    expect(decide({ kind: 'reject', error: '400' }, 3, 0, 1, policy).kind).toBe('dead');
    expect(decide({ kind: 'gone', error: '410' }, 1, 0, 1, policy)).toEqual({
      kind: 'disable',
      error: '410',
    });
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then one token per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(4, 2, () => now);
    expect([bucket.take(), bucket.take()]).toEqual([0, 0]);
    expect(bucket.take()).toBe(250);
    now += 250;
    expect(bucket.take()).toBe(0);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 250]);
  });
});
