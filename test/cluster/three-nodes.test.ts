/**
 * The issue's cluster test, with a real PostgreSQL: 3 node processes run triggers (events polled
 * under a lease per source, deliveries claimed from the store) and billing jobs while customers are
 * created; one node is killed with kill -9 mid-run. Its leases move to the others within the lease
 * time; no event is lost (every trigger delivers every customer) and no delivery arrives twice at
 * once; every billing job succeeds, no two attempts of a job (nor two jobs of an integration) ran at
 * once; the rate the emulator saw on the triggers' connection, from all nodes together, never
 * exceeded its shared budget in any second.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Job, JobAttempt } from '../../src/store/index.ts';
import { dropSchemas, freshSchemaUrl, pgSkipReason } from '../support/pg.ts';
import {
  clusterBench,
  heldBy,
  queuePlans,
  spawnNode,
  until,
  type ClusterBench,
  type NodeMode,
  type NodeProcess,
} from './support/bench.ts';
import { maxInWindow, perSecond } from './support/cluster.ts';

const skipReason = await pgSkipReason();
afterAll(dropSchemas);

/** How each node runs its work (see support/bench.ts). */
const MODE: NodeMode = 'serve';
const TPS = 2;
const BURST = 1;
const TRIGGERS = 3;
const INTEGRATIONS = 3;
const CUSTOMERS = 40;
/** A source's lease (triggers/run-sources.ts: 3 intervals, at least 10 s) and its retry (the 1 s interval). */
const SOURCE_LEASE_MS = 10_000;
const RETRY_MS = 1000;
/** The cluster's lease time (config `cluster.leaseMs`): delivery and billing claims. */
const LEASE_MS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live leases and running claims held by one node. */
async function holdings(bench: ClusterBench, node: NodeProcess) {
  const now = bench.store.now();
  const leases = (await bench.store.leases.list()).filter((l) => l.expiresAt > now && heldBy(node, l.holder));
  const running: Job[] = [];
  for (const t of bench.triggerNames)
    running.push(...(await bench.store.deliveries.list(t, { status: 'running' })));
  running.push(...(await bench.store.jobs.list({ queue: 'billing', status: 'running' })));
  return { leases, claims: running.filter((j) => heldBy(node, j.lockedBy)) };
}

/** Attempts overlapping in time (an unfinished one of the killed node ends at the kill). */
function overlapping(attempts: Array<JobAttempt & { end: number }>): string[] {
  const sorted = [...attempts].sort((a, b) => a.startedAt - b.startedAt);
  const found: string[] = [];
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.startedAt < sorted[i - 1]!.end)
      found.push(
        `job ${sorted[i]!.jobId}#${sorted[i]!.attempt} began before job ${sorted[i - 1]!.jobId}#${sorted[i - 1]!.attempt} ended`,
      );
  return found;
}

describe.skipIf(skipReason !== undefined)(`3 nodes${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('survive kill -9 of one mid-run: leases move, nothing lost or run twice at once, one budget', async () => {
    const storeUrl = freshSchemaUrl('three');
    const bench = await clusterBench({
      storeUrl,
      tps: TPS,
      burst: BURST,
      triggers: TRIGGERS,
      integrations: INTEGRATIONS,
      latencyMs: 30,
      sinkHoldMs: 300,
    });
    const nodes = [1, 2, 3].map((n) =>
      spawnNode(MODE, bench, storeUrl, `node-${n}`, { heartbeatMs: 500, leaseMs: LEASE_MS }),
    );
    try {
      await Promise.all(nodes.map((n) => n.started));
      // A trigger delivers what happens after its first poll (its start): wait for every one's.
      await until(
        'every trigger polled once',
        async () => (await bench.store.checkpoints.list()).length === TRIGGERS,
        30_000,
      );
      // Events of the first poll's own second count as existing before it: start on the next.
      await sleep(1000);
      const customers: string[] = [];
      const making = (async () => {
        for (let i = 0; i < CUSTOMERS; i++) {
          customers.push(await bench.customer(i));
          await sleep(150);
        }
      })();

      // Mid-run: deliveries under way, billing jobs queued, a node holding a lease and a claim.
      await until('deliveries under way', () => bench.sink.deliveries.length >= 10, 30_000);
      const jobIds = await queuePlans(bench, INTEGRATIONS);
      const { victim, leases, claims } = await until(
        'a node holding a lease and a claim',
        async () => {
          const held = await Promise.all(nodes.map((n) => holdings(bench, n)));
          const i = held.findIndex((h) => h.leases.length > 0 && h.claims.length > 0);
          return i >= 0 && { victim: nodes[i]!, ...held[i]! };
        },
        20_000,
      );
      const others = nodes.filter((n) => n !== victim);
      const killedAt = Date.now();
      victim.kill('SIGKILL');
      await victim.exited;
      // The claims it still held when it died (one it finished just before the kill is done).
      const stranded = (await Promise.all(claims.map((c) => bench.store.jobs.get(c.id)))).filter(
        (j) => j && j.status === 'running' && heldBy(victim, j.lockedBy),
      ) as Job[];
      expect(stranded.length).toBeGreaterThan(0);

      // Its leases move to the others within the lease time (plus the retry period).
      const moved = await until(
        `leases ${leases.map((l) => l.name).join(', ')} taken by another node`,
        async () => {
          const now = bench.store.now();
          const current = await Promise.all(leases.map((l) => bench.store.leases.get(l.name)));
          const ok = current.every((c) => c && c.expiresAt > now && others.some((o) => heldBy(o, c.holder)));
          return ok && { at: Date.now(), current };
        },
        SOURCE_LEASE_MS + 10_000,
      );
      expect(moved.at - killedAt).toBeLessThanOrEqual(SOURCE_LEASE_MS + RETRY_MS + 1500);
      moved.current.forEach((c, i) => expect(c!.epoch).toBeGreaterThan(leases[i]!.epoch));
      // Its claims (a delivery or billing job in flight) are run by another node once their lease ends.
      for (const claim of stranded) {
        const retried = await until(
          `${claim.queue} job ${claim.id} claimed again by another node`,
          async () =>
            (await bench.store.jobs.attempts(claim.id)).find(
              (a) => a.startedAt >= killedAt && others.some((o) => heldBy(o, a.worker)),
            ),
          LEASE_MS + 10_000,
        );
        expect(retried.startedAt - killedAt).toBeLessThanOrEqual(LEASE_MS + 2000);
      }

      await making;
      // Nothing lost: every trigger delivers every customer; every billing job succeeds.
      await until(
        'every customer delivered by every trigger, every billing job done',
        async () => {
          const delivered = bench.triggerNames.every((t) => bench.sink.delivered(t).size === CUSTOMERS);
          const done = await bench.store.jobs.list({ queue: 'billing', status: 'succeeded' });
          return delivered && done.length === jobIds.length;
        },
        90_000,
      ).catch(async (error) => {
        const jobs = await bench.store.jobs.list({ queue: 'billing' });
        const sizes = await Promise.all(
          bench.triggerNames.map(async (t) => {
            const got = bench.sink.delivered(t);
            const counts = JSON.stringify(await bench.store.deliveries.counts(t));
            const inbox = (await bench.store.inbox.list({ scope: `trigger:${t}`, limit: 1000 })).length;
            const cp = JSON.stringify((await bench.store.checkpoints.list(t)).map((c) => c.state));
            return `${t}: ${got.size} (missing ${customers.map((c, i) => (got.has(c) ? '' : `#${i} ${c}`)).join(' ')}; store ${counts}; inbox ${inbox}; cp ${cp})`;
          }),
        );
        const events = (await (
          await fetch(`${bench.emulator.url}/v1/events?limit=100`, {
            headers: { authorization: `Bearer ${bench.env.SHOP_KEY}` },
          })
        ).json()) as { data: Array<{ id: string; created: number; data: { object: { id: string } } }> };
        console.log(
          'events, newest first: ' +
            events.data.map((e) => `${e.id}@${e.created}:${e.data.object.id}`).join(' '),
        );
        throw new Error(
          `${(error as Error).message}; delivered ${sizes.join(', ')} of ${customers.length}; billing jobs ` +
            `${jobs.map((j) => `${j.id}:${j.status}/${j.attempts}`).join(' ')}; stderr: ${others.map((n) => n.stderr().slice(-1500)).join('\n---\n')}`,
        );
      });
      for (const t of bench.triggerNames)
        expect([...bench.sink.delivered(t)].sort()).toEqual([...customers].sort());
      // No delivery arrived while the same one was still in flight (a node may redeliver one the
      // killed node had sent but not acked: at least once, never twice at once).
      expect(bench.sink.overlaps).toEqual([]);

      // Billing: no job ran twice at once, and one job at a time per integration.
      const byIntegration = new Map<string, Array<JobAttempt & { end: number }>>();
      for (const id of jobIds) {
        const job = (await bench.store.jobs.get(id))!;
        const attempts = (await bench.store.jobs.attempts(id)).map((a) => ({
          ...a,
          end: a.finishedAt ?? (victim.pids.some((p) => a.worker.includes(String(p))) ? killedAt : Infinity),
        }));
        expect(overlapping(attempts)).toEqual([]);
        byIntegration.set(job.group!, [...(byIntegration.get(job.group!) ?? []), ...attempts]);
      }
      for (const [integration, attempts] of byIntegration)
        expect(overlapping(attempts), integration).toEqual([]);

      // One budget: what the emulator saw on the connection, all nodes together, per second.
      const times = bench.shopRequests();
      const seconds = perSecond(times);
      console.log(
        `three nodes: victim ${victim.id} held ${leases.length} lease(s), claims ${claims.map((c) => `${c.queue}#${c.id}`).join(' ')} (${stranded.length} still held at the kill); leases moved in ${moved.at - killedAt} ms; ` +
          `${times.length} requests on the shared connection, per second max ${Math.max(...seconds.values())} (budget ${TPS} + burst ${BURST})`,
      );
      expect(Math.max(...seconds.values())).toBeLessThanOrEqual(TPS + BURST);
      expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(TPS + BURST);

      for (const n of others) n.kill('SIGTERM');
      expect((await Promise.all(others.map((n) => n.exited))).flat()).toEqual(
        others.flatMap((n) => n.procs.map(() => 0)),
      );
    } finally {
      for (const n of nodes) n.kill('SIGKILL');
      await bench.close();
    }
  }, 180_000);
});
