import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/gateway/throttle.ts';
import { fakeClock } from './helpers/fake-clock.ts';

describe('TokenBucket', () => {
  it('lets a burst through, then paces at tps', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ tps: 10, burst: 3, clock });
    const waits: number[] = [];
    const run = (async () => {
      for (let i = 0; i < 6; i++) waits.push(Math.round(await bucket.acquire()));
    })();
    await clock.drain();
    await run;
    // Three at once, then one per 100 ms measured from the schedule, not from the last caller.
    expect(waits).toEqual([0, 0, 0, 100, 100, 100]);
    expect(bucket.stats).toMatchObject({ acquired: 6, waits: 3 });
  });

  it('serves concurrent callers in arrival order, one slot each', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ tps: 4, burst: 1, clock });
    // Reservations happen synchronously at call time: the delays show each caller's slot.
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(bucket.delay());
      void bucket.acquire();
    }
    expect(delays).toEqual([0, 250, 500, 750, 1000]);
  });

  it('never exceeds tps over any window under sustained concurrent load', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ tps: 25, burst: 1, clock });
    const starts: number[] = [];
    const all = Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 25; i++) {
          await bucket.acquire();
          starts.push(clock.now());
        }
      }),
    );
    await clock.drain();
    await all;
    expect(starts).toHaveLength(200);
    starts.sort((a, b) => a - b);
    for (let i = 0; i + 25 < starts.length; i++)
      expect(starts[i + 25] - starts[i]).toBeGreaterThanOrEqual(1000);
  });

  it('pauses everybody after a server-imposed wait, and refills after idling', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ tps: 10, burst: 2, clock });
    void bucket.acquire();
    bucket.pause(1000);
    expect(Math.round(bucket.delay())).toBe(1000);
    clock.t += 5000;
    expect(bucket.delay()).toBe(0);
    expect(bucket.stats.pauses).toBe(1);
  });

  it('gives up waiting when aborted', async () => {
    const bucket = new TokenBucket({ tps: 1, burst: 1 });
    await bucket.acquire();
    const controller = new AbortController();
    const pending = bucket.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
