/**
 * Mirror benchmark. The emulator limits each key to 25 requests/s (a fixed 1-s window) and answers
 * after 20 ms; the connection's throttle is set to the same 25 req/s. Measured in the same run:
 * - backfill rows/s of `runSync` (5 entities into SQLite) against the ceiling 25 × 100 rows/s
 *   (goal ≥ 0.9), and against a plain SDK `autoPagingEach` + insert loop (entity after entity);
 * - incremental lag from an API write to its row: updates written at ~5/s by another key while the
 *   sync follows events (poll every 1 s), p50/p99 over the writes.
 * BENCH_QUICK=1: 3,000 objects instead of 30,000, 20 writes instead of 100.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { loadCatalog } from '../src/catalog/index.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { createGateway } from '../src/gateway/index.ts';
import { openTarget, runSync } from '../src/sync/index.ts';

const LIMIT = 25;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
const QUICK = process.env.BENCH_QUICK === '1';
const PER_ENTITY = QUICK ? 600 : 6000;
const WRITES = QUICK ? 20 : 100;
const RESOURCES = {
  customer: 'Customer',
  product: 'Product',
  price: 'Price',
  invoice: 'Invoice',
  payment_intent: 'PaymentIntent',
};
const SDK_LISTS: Record<string, (s: Stripe) => Stripe.ApiListPromise<{ id: string }>> = {
  customer: (s) => s.customers.list({ limit: 100 }),
  product: (s) => s.products.list({ limit: 100 }),
  price: (s) => s.prices.list({ limit: 100 }),
  invoice: (s) => s.invoices.list({ limit: 100 }),
  payment_intent: (s) => s.paymentIntents.list({ limit: 100 }),
};

function load(emulator: Emulator): number {
  const now = Math.floor(Date.now() / 1000);
  for (const resource of Object.keys(RESOURCES)) {
    emulator.load(
      resource,
      Array.from({ length: PER_ENTITY }, (_, i) => ({
        created: now - 60 - Math.floor((i * 90 * 86400) / PER_ENTITY),
        metadata: { i: String(i) },
      })),
    );
  }
  return PER_ENTITY * Object.keys(RESOURCES).length;
}

async function ours(
  emulator: Emulator,
  total: number,
): Promise<{ rowsPerSecond: number; requests: number; rateLimited: number }> {
  const catalog = loadCatalog();
  const gateway = createGateway({ apiKey: 'sk_test_ours', baseUrl: emulator.url, throttle: { tps: LIMIT } });
  const to = `sqlite:${join(mkdtempSync(join(tmpdir(), 'bench-sync-')), 'mirror.db')}`;
  let started = 0;
  let ended = 0;
  await runSync(
    { catalog, gateway },
    {
      to,
      entities: Object.values(RESOURCES),
      once: true,
      concurrency: Number(process.env.BENCH_SYNC_CONCURRENCY ?? 16),
      onEvent: (e) => {
        if (e.kind === 'migrated') started = performance.now();
        if (e.kind === 'backfill') ended = performance.now();
      },
    },
  );
  const stats = gateway.stats!;
  await gateway.close();
  return {
    rowsPerSecond: total / ((ended - started) / 1000),
    requests: stats.requests,
    rateLimited: stats.rateLimited,
  };
}

async function baseline(emulator: Emulator, total: number): Promise<number> {
  const stripe = new Stripe('sk_test_baseline', {
    host: '127.0.0.1',
    port: Number(new URL(emulator.url).port),
    protocol: 'http',
    maxNetworkRetries: 10,
  });
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'bench-sdk-')), 'plain.db'));
  // The same durability settings as the mirror's target, so the loop is not bound by fsyncs.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const started = performance.now();
  let n = 0;
  for (const resource of Object.keys(RESOURCES)) {
    db.exec(`CREATE TABLE ${resource} (id TEXT PRIMARY KEY, data TEXT)`);
    const insert = db.prepare(`INSERT OR REPLACE INTO ${resource} (id, data) VALUES (?, ?)`);
    await SDK_LISTS[resource](stripe).autoPagingEach((o) => {
      insert.run(o.id, JSON.stringify(o));
      n++;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  if (n !== total) throw new Error(`baseline read ${n} of ${total}`);
  return total / seconds;
}

async function lag(emulator: Emulator): Promise<{ p50: number; p99: number }> {
  const catalog = loadCatalog();
  const gateway = createGateway(
    { apiKey: 'sk_test_lag', baseUrl: emulator.url, throttle: { tps: LIMIT } },
    { logThrownErrors: false },
  );
  const writer = createGateway({ apiKey: 'sk_test_writer', baseUrl: emulator.url, throttle: { tps: LIMIT } });
  const to = `sqlite:${join(mkdtempSync(join(tmpdir(), 'bench-lag-')), 'mirror.db')}`;
  const stop = new AbortController();
  const running = runSync(
    { catalog, gateway },
    { to, entities: ['Customer'], pollIntervalMs: 1000, signal: stop.signal },
  );
  const target = await openTarget(to);
  const ids = (
    await writer.request({ method: 'GET', path: '/v1/customers', params: { limit: WRITES } })
  ).data.map((c: { id: string }) => c.id);
  // Let the backfill finish first: lag is about the incremental part.
  for (;;) {
    const done = await target.db
      .selectFrom('_stripe_sync_state')
      .select('done')
      .where('slice', '=', 'plan')
      .executeTakeFirst()
      .catch(() => undefined);
    if (done?.done) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const lags: number[] = [];
  const pending = new Map<string, number>();
  const watch = setInterval(async () => {
    for (const [name, at] of pending) {
      const row = await target.db
        .selectFrom('customer')
        .select('id')
        .where('name', '=', name)
        .executeTakeFirst();
      if (row && pending.delete(name)) lags.push(performance.now() - at);
    }
  }, 20);
  for (let i = 0; i < ids.length; i++) {
    const name = `lag-${i}-${Date.now()}`;
    await writer.request({ method: 'POST', path: `/v1/customers/${ids[i]}`, params: { name } });
    pending.set(name, performance.now());
    await new Promise((r) => setTimeout(r, 200));
  }
  while (pending.size) await new Promise((r) => setTimeout(r, 50));
  clearInterval(watch);
  stop.abort();
  await running;
  await target.close();
  await Promise.all([gateway.close(), writer.close()]);
  const sorted = lags.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99) };
}

export async function run(): Promise<void> {
  const emulator = await startEmulator({ port: 0, rateLimit: LIMIT, latency: { ms: LATENCY_MS } });
  try {
    const total = load(emulator);
    const ceiling = LIMIT * 100;
    const mine = await ours(emulator, total);
    const plain = await baseline(emulator, total);
    const l = await lag(emulator);
    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(
      `${f(total)} objects in 5 entities, emulator ${LIMIT} req/s and ${LATENCY_MS} ms, throttle ${LIMIT} req/s`,
    );
    console.log(`| measure | figure | against |`);
    console.log(`| --- | ---: | --- |`);
    console.log(
      `| backfill (runSync, ${process.env.BENCH_SYNC_CONCURRENCY ?? 16} workers) | ${f(mine.rowsPerSecond)} rows/s = ${(mine.rowsPerSecond / ceiling).toFixed(3)} of the ceiling; ${mine.requests} requests, ${mine.rateLimited} answered 429 | ceiling ${f(ceiling)} rows/s |`,
    );
    console.log(
      `| plain SDK autoPagingEach + insert | ${f(plain)} rows/s | ours is ${(mine.rowsPerSecond / plain).toFixed(1)}× |`,
    );
    console.log(
      `| incremental lag, write → row (poll 1 s) | p50 ${f(l.p50)} ms, p99 ${f(l.p99)} ms over ${WRITES} writes | |`,
    );
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
