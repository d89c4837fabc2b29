import { describe, expect, it } from 'vitest';
import { backoffDelay, classify, parseRetryAfter } from '../../src/gateway/retry.ts';

describe('retry policy', () => {
  it('retries rate limits, lock timeouts, 5xx and network failures', () => {
    expect(classify({ status: 429 })).toEqual({ retry: true, reason: 'rate_limit' });
    expect(classify({ status: 400, message: 'You are making requests too quickly' })).toMatchObject({
      reason: 'rate_limit',
    });
    expect(classify({ status: 400, code: 'rate_limit' })).toMatchObject({ reason: 'rate_limit' });
    expect(classify({ status: 409, code: 'lock_timeout' })).toMatchObject({ reason: 'lock_timeout' });
    expect(classify({ status: 503 })).toMatchObject({ reason: 'server_error' });
    expect(classify({ errno: 'ECONNRESET' })).toMatchObject({ reason: 'network' });
    expect(classify({ errno: 'ETIMEDOUT' })).toMatchObject({ reason: 'timeout' });
  });

  it('does not retry client errors, refused connections or other conflicts', () => {
    expect(classify({ status: 400, code: 'parameter_missing' }).retry).toBe(false);
    expect(classify({ status: 402 }).retry).toBe(false);
    expect(classify({ status: 409, code: 'resource_already_exists' }).retry).toBe(false);
    expect(classify({ errno: 'ECONNREFUSED' }).retry).toBe(false);
    expect(classify({ errno: 'CERT_HAS_EXPIRED' }).retry).toBe(false);
  });

  it('lets Stripe-Should-Retry and Retry-After decide', () => {
    expect(classify({ status: 500, headers: { 'stripe-should-retry': 'false' } }).retry).toBe(false);
    expect(classify({ status: 400, headers: { 'stripe-should-retry': 'true' } })).toMatchObject({
      retry: true,
      reason: 'server_advice',
    });
    expect(classify({ status: 429, headers: { 'retry-after': '2' } })).toEqual({
      retry: true,
      reason: 'rate_limit',
      afterMs: 2000,
    });
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, { ...opts, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...opts, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...opts, random: () => 1 })).toBe(800);
    expect(backoffDelay(10, { ...opts, random: () => 1 })).toBe(1000);
  });
});
