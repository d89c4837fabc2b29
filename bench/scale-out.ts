/**
 * Scale-out on PostgreSQL, all in one run, each figure against 1 node of the same run:
 * - the shared budget: 1, 2 and 3 node processes (test/cluster/support/node-process.ts) share one
 *   connection budget and hammer the emulator. The aggregate request rate the emulator saw as a
 *   fraction of the budget (goal ≥ 0.9, never above 1.0 beyond the burst) and the busiest calendar
 *   second. Baseline: 3 nodes each with its own local budget, as without a shared store.
 * - delivery throughput: 1, 2 and 3 real `serve` nodes drain one queue of trigger deliveries (a
 *   parallel trigger, its sink holding each request SINK_HOLD_MS), deliveries per second.
 * - billing job throughput: 1, 2 and 3 `serve` nodes work off the example plan's jobs on
 *   INTEGRATIONS integrations (one job at a time per integration, across the nodes), jobs per second.
 *   npm run bench -- scale-out        (BENCH_QUICK=1: shorter windows, fewer deliveries and jobs)
 */
import { startEmulator } from '../src/emulator/index.ts';
import { storePorts } from '../src/triggers/store/ports.ts';
import { clusterBench, queuePlans, spawnNode, until } from '../test/cluster/support/bench.ts';
import { perSecond, startNode } from '../test/cluster/support/cluster.ts';
import { dropSchemas, freshSchemaUrl, pgSkipReason } from '../test/support/pg.ts';

const TPS = 20;
const BURST = 2;
const WINDOW_MS = process.env.BENCH_QUICK ? 4000 : 10_000;
const DELIVERIES = process.env.BENCH_QUICK ? 300 : 1200;
const SINK_HOLD_MS = 20;
/** Per node: the trigger's delivery concurrency. */
const DELIVERY_CONCURRENCY = 8;
const INTEGRATIONS = process.env.BENCH_QUICK ? 8 : 16;
const NODE_COUNTS = [1, 2, 3];
/** Which parts run (default all): BENCH_PARTS=budget,deliveries,jobs */
const PARTS = new Set((process.env.BENCH_PARTS ?? 'budget,deliveries,jobs').split(','));

interface Figure {
  nodes: number;
  shared: boolean;
  rate: number;
  fraction: number;
  busiest: number;
}

async function measure(
  baseUrl: string,
  clear: () => void,
  requests: () => number[],
  nodes: number,
  shared: boolean,
): Promise<Figure> {
  const storeUrl = freshSchemaUrl('bench_scale');
  const children = Array.from({ length: nodes }, (_, i) =>
    startNode({
      storeUrl,
      baseUrl,
      nodeId: `bench-${nodes}-${i}`,
      tps: TPS,
      burst: BURST,
      shared,
      concurrency: 4,
      leaseTtlMs: 3000,
      heartbeatMs: 1000,
    }),
  );
  try {
    await Promise.all(children.map((c) => c.waitFor((l) => l.event === 'ready')));
    await new Promise((r) => setTimeout(r, 1000)); // warm-up: every node in its stride
    clear();
    const from = Date.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const times = requests().filter((t) => t >= from && t < from + WINDOW_MS);
    const failed = children.reduce((sum, c) => sum + c.stats().failed, 0);
    if (failed) throw new Error(`${failed} requests failed`);
    const rate = times.length / (WINDOW_MS / 1000);
    const seconds = [...perSecond(times).entries()].filter(
      ([s]) => s * 1000 >= from && (s + 1) * 1000 <= from + WINDOW_MS,
    );
    return { nodes, shared, rate, fraction: rate / TPS, busiest: Math.max(...seconds.map(([, n]) => n)) };
  } finally {
    for (const c of children) c.proc.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
  }
}

/** Starts `nodes` serve processes on a fresh schema, runs `work` (timed), stops them. */
async function withNodes<T>(
  nodes: number,
  setup: { triggers: number; integrations: number },
  work: (bench: Awaited<ReturnType<typeof clusterBench>>, storeUrl: string) => Promise<T>,
): Promise<T> {
  const storeUrl = freshSchemaUrl('bench_nodes');
  const bench = await clusterBench({
    storeUrl,
    tps: 1000,
    burst: 50,
    latencyMs: 20,
    sinkHoldMs: SINK_HOLD_MS,
    delivery: { mode: 'parallel', concurrency: DELIVERY_CONCURRENCY },
    // The sink's own limit out of the way: the nodes are what is measured.
    rateLimit: 100_000,
    ...setup,
  });
  const children = Array.from({ length: nodes }, (_, i) =>
    spawnNode('serve', bench, storeUrl, `bench-${nodes}-${i}`, { heartbeatMs: 1000 }),
  );
  try {
    await Promise.all(children.map((c) => c.started));
    return await work(bench, storeUrl);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await bench.close();
  }
}

/** Deliveries per second: DELIVERIES queued at once, drained by the nodes. */
async function deliveryRate(nodes: number): Promise<number> {
  return withNodes(nodes, { triggers: 1, integrations: 0 }, async (bench) => {
    const [trigger] = bench.triggerNames;
    // Wait for the first poll (so the poller's own writes are out of the way), then queue at once.
    await until('first poll', async () => (await bench.store.checkpoints.list()).length === 1, 30_000);
    const ports = storePorts({ store: bench.store, worker: 'bench', ordered: () => false });
    const created = Math.floor(Date.now() / 1000);
    const events = Array.from({ length: DELIVERIES }, (_, i) => ({
      id: `evt_bench_${i}`,
      type: 'customer.created',
      created,
      data: { object: { id: `cus_bench_${i}`, object: 'customer' } },
      source: 'events' as const,
    }));
    const from = Date.now();
    await ports.inbox.put(trigger!, events);
    await ports.close();
    await until(
      'every delivery acked',
      async () => (await bench.store.deliveries.counts(trigger!)).succeeded === DELIVERIES,
      300_000,
    );
    return DELIVERIES / ((Date.now() - from) / 1000);
  });
}

/** Billing jobs per second: the example plan on INTEGRATIONS integrations, queued at once. */
async function jobRate(nodes: number): Promise<{ rate: number; jobs: number }> {
  return withNodes(nodes, { triggers: 0, integrations: INTEGRATIONS }, async (bench) => {
    const from = Date.now();
    const ids = await queuePlans(bench, INTEGRATIONS);
    await until(
      'every billing job succeeded',
      async () =>
        (await bench.store.jobs.list({ queue: 'billing', status: 'succeeded', limit: 10_000 })).length ===
        ids.length,
      300_000,
    );
    return { rate: ids.length / ((Date.now() - from) / 1000), jobs: ids.length };
  });
}

async function budgetPart(): Promise<void> {
  const emulator = await startEmulator({ port: 0, randomSeed: 5 });
  const requests = () =>
    emulator.requests.filter((r) => r.path.startsWith('/v1/customers') && r.status === 200).map((r) => r.at);
  try {
    const figures: Figure[] = [];
    for (const n of NODE_COUNTS)
      figures.push(await measure(emulator.url, emulator.clearRequests, requests, n, true));
    const baseline = await measure(emulator.url, emulator.clearRequests, requests, 3, false);
    const one = figures[0]!.rate;
    console.log(
      `budget ${TPS} req/s (burst ${BURST}) shared on PostgreSQL, 4 callers per node, ${WINDOW_MS / 1000} s windows`,
    );
    for (const f of figures)
      console.log(
        `${f.nodes} node(s): ${f.rate.toFixed(1)} req/s = ${f.fraction.toFixed(3)} of the budget, busiest second ${f.busiest}, ` +
          `scaling ${(f.rate / one).toFixed(2)}× of 1 node`,
      );
    console.log(
      `baseline, 3 nodes with local budgets only: ${baseline.rate.toFixed(1)} req/s = ${baseline.fraction.toFixed(3)} of the budget, busiest second ${baseline.busiest}`,
    );
  } finally {
    await emulator.close();
  }
}

async function deliveryPart(): Promise<void> {
  const rates: number[] = [];
  for (const n of NODE_COUNTS) rates.push(await deliveryRate(n));
  console.log(
    `deliveries: ${DELIVERIES} queued at once on a parallel trigger (${DELIVERY_CONCURRENCY} at a time per node), sink holds each ${SINK_HOLD_MS} ms, serve nodes`,
  );
  NODE_COUNTS.forEach((n, i) =>
    console.log(
      `${n} node(s): ${rates[i]!.toFixed(0)} deliveries/s, scaling ${(rates[i]! / rates[0]!).toFixed(2)}× of 1 node`,
    ),
  );
}

async function jobPart(): Promise<void> {
  const jobs: Array<{ rate: number; jobs: number }> = [];
  for (const n of NODE_COUNTS) jobs.push(await jobRate(n));
  console.log(
    `billing jobs: the example plan on ${INTEGRATIONS} integrations (${jobs[0]!.jobs} jobs, one at a time per integration), emulator latency 20 ms, serve nodes`,
  );
  NODE_COUNTS.forEach((n, i) =>
    console.log(
      `${n} node(s): ${jobs[i]!.rate.toFixed(1)} jobs/s, scaling ${(jobs[i]!.rate / jobs[0]!.rate).toFixed(2)}× of 1 node`,
    ),
  );
}

export async function run(): Promise<void> {
  const skip = await pgSkipReason();
  if (skip) {
    console.log(`scale-out: skipped (${skip})`);
    return;
  }
  try {
    if (PARTS.has('budget')) await budgetPart();
    if (PARTS.has('deliveries')) await deliveryPart();
    if (PARTS.has('jobs')) await jobPart();
  } finally {
    await dropSchemas();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
