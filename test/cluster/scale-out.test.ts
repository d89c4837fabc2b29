/**
 * Three real node processes on one PostgreSQL share one connection budget while hammering the
 * emulator: the rate the emulator saw (all nodes together) stays within both budgets, no request
 * fails, and after `kill -9` of the lease holder the others go on, its record expires and its lease
 * moves within the lease time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { liveNodes } from '../../src/cluster/index.ts';
import { startEmulator } from '../../src/emulator/index.ts';
import { openStore } from '../../src/store/index.ts';
import { maxInWindow, perSecond, startNode, type NodeChild } from './support/cluster.ts';
import { dropSchemas, freshSchemaUrl, pgSkipReason } from '../support/pg.ts';

const skipReason = await pgSkipReason();
if (skipReason) console.warn(`scale-out.test.ts skipped: ${skipReason}`);

const TPS = 20;
const BURST = 2;
/** The second budget, Microsoft-style (100 per 60 s) scaled to the test's length. */
const LONG = { limit: 120, intervalMs: 10_000, burst: 30 };
const LEASE_TTL = 3000;
const HEARTBEAT = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(dropSchemas);

describe.skipIf(skipReason !== undefined)(`scale-out${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('3 nodes keep one budget, survive kill -9 of one, and move its lease within the lease time', async () => {
    const emulator = await startEmulator({ port: 0, randomSeed: 3 });
    const storeUrl = freshSchemaUrl('scale');
    const store = await openStore({ url: storeUrl });
    const nodes: NodeChild[] = [];
    try {
      for (const n of [1, 2, 3])
        nodes.push(
          startNode({
            storeUrl,
            baseUrl: emulator.url,
            nodeId: `node-${n}`,
            tps: TPS,
            burst: BURST,
            budgets: [LONG],
            concurrency: 4,
            leaseTtlMs: LEASE_TTL,
            heartbeatMs: HEARTBEAT,
          }),
        );
      await Promise.all(nodes.map((n) => n.waitFor((l) => l.event === 'ready')));
      expect((await liveNodes(store)).map((n) => n.id).sort()).toEqual(['node-1', 'node-2', 'node-3']);
      await sleep(5000);

      // kill -9 the node polling the source.
      const lease = (await store.leases.get('source:demo'))!;
      const victim = nodes.find((n) => n.id === lease.holder)!;
      const others = nodes.filter((n) => n !== victim);
      const okBefore = others.map((n) => n.stats().ok);
      const killedAt = Date.now();
      victim.proc.kill('SIGKILL');
      await victim.exited;

      // Watch the dead node's record from the moment of the kill, while its lease moves.
      const recordGone = (async () => {
        for (;;) {
          if (!(await liveNodes(store)).some((n) => n.id === victim.id)) return Date.now() - killedAt;
          if (Date.now() - killedAt > 10_000) return Infinity;
          await sleep(50);
        }
      })();
      const taken = await Promise.race(
        others.map((n) => n.waitFor((l) => l.event === 'lease' && l.at > killedAt, LEASE_TTL + 5000)),
      );
      // The dead holder renewed at most ttl/3 before the kill, so its lease ran out within ttl.
      expect(taken.at - killedAt).toBeLessThanOrEqual(LEASE_TTL + 250);
      expect(taken.epoch).toBeGreaterThan(lease.epoch);
      const moved = (await store.leases.get('source:demo'))!;
      expect(others.map((n) => n.id)).toContain(moved.holder);
      // Its record lapses after the node ttl (3 heartbeats) from its last heartbeat.
      const gone = await recordGone;
      expect(gone).toBeGreaterThan(3 * HEARTBEAT - HEARTBEAT - 100);
      expect(gone).toBeLessThanOrEqual(3 * HEARTBEAT + 300);

      await sleep(3000);
      others.forEach((n, i) => expect(n.stats().ok).toBeGreaterThan(okBefore[i]!));
      for (const n of others) n.proc.kill('SIGTERM');
      expect(await Promise.all(others.map((n) => n.exited))).toEqual([0, 0]);

      const errors = nodes.flatMap((n) => n.lines.filter((l) => l.event === 'error'));
      expect(errors).toEqual([]);
      expect(others.map((n) => n.stats().failed)).toEqual([0, 0]);

      const requests = emulator.requests.filter((r) => r.path.startsWith('/v1/customers'));
      expect(requests.filter((r) => r.status !== 200)).toEqual([]);
      const times = requests.map((r) => r.at);
      const seconds = [...perSecond(times).values()];
      const span = (Math.max(...times) - Math.min(...times)) / 1000;
      console.log(
        `scale-out: ${times.length} requests in ${span.toFixed(1)} s; per second max ${Math.max(...seconds)}; ` +
          `max in any 1 s ${maxInWindow(times, 1000)}, in any 10 s ${maxInWindow(times, 10_000)}`,
      );
      // Per second at the emulator: the budget plus one window's burst (budget-shared.ts).
      expect(Math.max(...seconds)).toBeLessThanOrEqual(TPS + BURST);
      expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(TPS + BURST);
      // The second budget: 120 per 10 s, plus its burst of 30.
      expect(maxInWindow(times, LONG.intervalMs)).toBeLessThanOrEqual(LONG.limit + LONG.burst);
      // And it was used, not starved: at least 70% of the long budget's rate over the run.
      expect(times.length).toBeGreaterThanOrEqual(0.7 * (LONG.limit / 10) * span);
    } finally {
      for (const n of nodes)
        if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGKILL');
      await store.close();
      await emulator.close();
    }
  }, 60_000);
});
