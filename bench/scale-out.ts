/**
 * Scale-out: 1, 2 and 3 node processes (test/cluster/support/node-process.ts) share one
 * connection budget on PostgreSQL and hammer the emulator. Figures: the aggregate request rate the
 * emulator saw as a fraction of the budget (goal ≥ 0.9, never above 1.0 beyond the burst), the
 * busiest calendar second, and the scaling ratio against 1 node — all in the same run. Baseline: 3
 * nodes each with its own local budget, as without a shared store.
 *   npm run bench -- scale-out        (BENCH_QUICK=1: shorter windows)
 */
import { startEmulator } from '../src/emulator/index.ts';
import { perSecond, startNode } from '../test/cluster/support/cluster.ts';
import { dropSchemas, freshSchemaUrl, pgSkipReason } from '../test/support/pg.ts';

const TPS = 20;
const BURST = 2;
const WINDOW_MS = process.env.BENCH_QUICK ? 4000 : 10_000;

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

export async function run(): Promise<void> {
  const skip = await pgSkipReason();
  if (skip) {
    console.log(`scale-out: skipped (${skip})`);
    return;
  }
  const emulator = await startEmulator({ port: 0, randomSeed: 5 });
  const requests = () =>
    emulator.requests.filter((r) => r.path.startsWith('/v1/customers') && r.status === 200).map((r) => r.at);
  try {
    const figures: Figure[] = [];
    for (const n of [1, 2, 3])
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
    await dropSchemas();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
