import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.ts';

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, write: (t: string) => written.push(t), written };
}

describe('progress line', () => {
  it('on a terminal: rows scanned and written, rate, requests, throttle waits, ETA for a known total', () => {
    const out = stream(true);
    let t = 0;
    const stats = { requests: 3, throttledWaits: 2, throttledMs: 1500 } as any;
    const p = createProgress({ stream: out, now: () => t, stats: () => stats, total: 400 });
    t = 1000;
    p.page(100);
    for (let i = 0; i < 100; i++) p.row();
    t = 2000;
    p.page(100);
    p.done();
    const last = out.written.at(-1)!;
    expect(last).toMatch(
      /^\r200 rows scanned · 100 written · 100 rows\/s · 3 requests · 2 throttle waits \(1\.5 s\) · ETA 6 s/,
    );
    expect(last.endsWith('\n')).toBe(true);
  });

  it('nothing when stderr is not a terminal, or with --quiet', () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ]) {
      const out = stream(isTTY);
      const p = createProgress({ stream: out, quiet, intervalMs: 0 });
      p.page(100);
      p.page(100);
      p.done();
      expect(out.written).toEqual([]);
    }
  });
});
