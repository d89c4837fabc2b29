/**
 * A separate process on a store, for the contract's concurrency and crash tests:
 *   node --import tsx test/store/child.ts MODE URL WORKER
 * It waits for "go" on stdin (so all children start together) and prints one JSON line per fact.
 */
import { openStore } from '../../src/store/index.ts';

const [mode, url, worker] = process.argv.slice(2) as [string, string, string];
const out = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drain(
  claim: () => Promise<{ id: number; group: string }[]>,
  finish: (id: number) => Promise<boolean>,
  holdMs: number,
) {
  let idle = 0;
  while (idle < 5) {
    const jobs = await claim();
    if (!jobs.length) {
      idle++;
      await sleep(20);
      continue;
    }
    idle = 0;
    for (const job of jobs) {
      const start = Date.now();
      if (holdMs) await sleep(holdMs);
      const end = Date.now();
      out({ id: job.id, group: job.group, start, end, acked: await finish(job.id) });
    }
  }
}

const modes: Record<string, (store: Awaited<ReturnType<typeof openStore>>) => Promise<void>> = {
  open: async () => {
    out({ opened: true });
  },
  deliveries: (store) =>
    drain(
      () => store.deliveries.claim({ worker, leaseMs: 30_000, limit: 3 }),
      (id) => store.deliveries.ack(id, worker),
      0,
    ),
  // Run claims of one ordered trigger: each run acked in order, a few ms per delivery.
  runs: async (store) => {
    for (let idle = 0; idle < 5;) {
      const run = await store.deliveries.claimRun({ trigger: 'T', worker, leaseMs: 30_000, limit: 7 });
      if (!run.length) {
        idle++;
        await sleep(10);
        continue;
      }
      idle = 0;
      const claimedAt = Date.now();
      let lastAckFrom = 0;
      const acked: boolean[] = [];
      for (const job of run) {
        await sleep(2);
        lastAckFrom = Date.now();
        acked.push(await store.deliveries.ack(job.id, worker));
      }
      out({ run: run.map((j) => j.id), claimedAt, lastAckFrom, acked });
    }
  },
  'claim-run-once': async (store) => {
    out({ claiming: true });
    const run = await store.deliveries.claimRun({ trigger: 'T', worker, leaseMs: 30_000, limit: 10 });
    out({ run: run.map((j) => j.id) });
  },
  billing: (store) =>
    drain(
      () => store.billing.claim({ worker, leaseMs: 30_000 }),
      (id) => store.billing.complete(id, worker),
      // Long enough that a second claimer would overlap if the queue let it.
      40,
    ),
  inbox: async (store) => {
    let inserted = 0;
    for (let i = 0; i < 50; i++) {
      const r = await store.inbox.add({
        scope: 'conn:shared',
        eventId: `evt_${i}`,
        type: 't',
        payload: { i, worker },
      });
      if (r.inserted) inserted++;
    }
    out({ inserted });
  },
  lease: async (store) => {
    out({ won: (await store.leases.acquire('poller:x', worker, 60_000)) !== undefined });
  },
  'claim-and-die': async (store) => {
    const [job] = await store.jobs.claim({ queue: 'q', worker, leaseMs: 300 });
    out({ claimed: job?.id });
    process.kill(process.pid, 'SIGKILL');
  },
  // Commits batches of 10 inbox rows + a checkpoint per transaction until killed.
  'tx-loop': async (store) => {
    for (let i = 0; ; i++) {
      await store.transaction(async (tx) => {
        for (let k = 0; k < 10; k++) {
          await tx.inbox.add({ scope: 'crash', eventId: `evt_${i}_${k}`, type: 't', payload: { i, k } });
        }
        await tx.checkpoints.set('crash', 'events', String(i));
      });
      if (i === 0) out({ first: true });
    }
  },
};

const store = await openStore({ url });
if (mode !== 'open') {
  out({ ready: true });
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.destroy();
}
await modes[mode]!(store);
await store.close();
process.exit(0);
