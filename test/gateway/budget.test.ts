import { describe, expect, it } from 'vitest';
import { connectionLimits, localBudget } from '../../src/gateway/budget.ts';
import { sharedWindow } from '../../src/gateway/budget-shared.ts';
import { parseConnection } from '../../src/connection/load.ts';
import { expectConnectorError } from '../support/errors.ts';
import { fakeClock } from './helpers/fake-clock.ts';

describe('local budget', () => {
  it('waits for every limit: 10/s and 5 per 10 s (burst 2) together', async () => {
    const clock = fakeClock();
    const budget = localBudget(
      'c',
      [
        { limit: 10, intervalMs: 1000, burst: 1 },
        { limit: 5, intervalMs: 10_000, burst: 2 },
      ],
      clock,
    );
    const at: number[] = [];
    const run = (async () => {
      for (let i = 0; i < 5; i++) {
        await budget.acquire();
        at.push(clock.now());
      }
    })();
    await clock.drain();
    await run;
    // The first two by the per-second limit (100 ms apart); then one per 2 s by the long one.
    expect(at).toEqual([0, 100, 2000, 4000, 6000]);
    expect(budget.stats).toMatchObject({ acquired: 5, waits: 4 });
  });

  it('a pause (429 Retry-After) holds the next slot', async () => {
    const clock = fakeClock();
    const budget = localBudget('c', [{ limit: 10, intervalMs: 1000, burst: 1 }], clock);
    await budget.pause(500);
    const run = budget.acquire();
    await clock.drain();
    expect(await run).toBe(500);
  });
});

describe('budget settings', () => {
  it('reads the connection: tps first, then the extra budgets, shared and the key', () => {
    const c = parseConnection(
      {
        name: 'ms',
        apiKey: 'sk_test_123',
        throttle: {
          tps: 20,
          burst: 2,
          shared: true,
          budgetKey: 'tenant-a',
          budgets: [{ limit: 100, intervalMs: 60_000 }],
        },
      },
      { allowLiteralSecrets: true, source: 'code' },
    );
    expect(c.throttle).toMatchObject({ shared: true, budgetKey: 'tenant-a' });
    expect(connectionLimits(c.throttle)).toEqual([
      { limit: 20, intervalMs: 1000, burst: 2 },
      { limit: 100, intervalMs: 60_000, burst: 10 },
    ]);
  });

  it('refuses a bad budget, naming the key', () => {
    const err = expectConnectorError(
      () =>
        parseConnection(
          { name: 'ms', apiKey: 'sk_test_123', throttle: { budgets: [{ limit: 0, intervalMs: 1000 }] } },
          { allowLiteralSecrets: true, source: 'code' },
        ),
      'CONNECTION_INVALID',
    );
    expect(err.message).toMatch(/throttle\.budgets\.0\.limit/);
  });

  it('cuts a limit into short windows of its burst, at least 50 ms long', () => {
    expect(sharedWindow({ limit: 20, intervalMs: 1000, burst: 2 })).toEqual({ points: 2, windowMs: 100 });
    expect(sharedWindow({ limit: 100, intervalMs: 60_000, burst: 10 })).toEqual({
      points: 10,
      windowMs: 6000,
    });
    // 24/s with burst 1 would be 41.7 ms windows: two slots per 83.3 ms instead.
    const w = sharedWindow({ limit: 24, intervalMs: 1000, burst: 1 });
    expect(w.points).toBe(2);
    expect(w.windowMs).toBeCloseTo(83.33, 1);
  });
});
