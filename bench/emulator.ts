/**
 * Emulator benchmark: requests/s for create, retrieve and list through the official SDK, each as a
 * ratio of a bare Node http server answering a fixed JSON body in the same run (the ceiling the
 * SDK + HTTP stack allow), then memory with 1,000,000 stored objects. Bounded: ~1 minute.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startEmulator } from '../src/emulator/index.ts';

const CONCURRENCY = 16;
const DURATION_MS = 3000;

function sdk(port: number): Stripe {
  return new Stripe('sk_test_bench', {
    host: '127.0.0.1',
    port,
    protocol: 'http',
    apiVersion: '2023-08-16' as any,
    maxNetworkRetries: 0,
    telemetry: false,
  });
}

/** Runs `op` from CONCURRENCY workers for DURATION_MS; returns requests per second. */
async function measure(op: (i: number) => Promise<unknown>): Promise<number> {
  let count = 0;
  const end = Date.now() + DURATION_MS;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) await op(count++);
    }),
  );
  return count / ((Date.now() - start) / 1000);
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

export async function run(): Promise<void> {
  // Baseline: the same SDK call against a server that only writes a fixed body.
  const fixed = JSON.stringify({
    id: 'cus_fixed',
    object: 'customer',
    created: 0,
    livemode: false,
    email: 'a@b.c',
  });
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(fixed) })
        .end(fixed),
    );
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareSdk = sdk((bare.address() as AddressInfo).port);
  const baseline = await measure(() => bareSdk.customers.retrieve('cus_fixed'));
  bare.close();

  const em = await startEmulator();
  const stripe = sdk(em.port);
  const ids: string[] = [];
  const create = await measure(async (i) =>
    ids.push((await stripe.customers.create({ email: `c${i}@example.com`, metadata: { n: String(i) } })).id),
  );
  const retrieve = await measure((i) => stripe.customers.retrieve(ids[i % ids.length]));
  const list = await measure(() => stripe.customers.list({ limit: 10 }));
  const list100 = await measure(() => stripe.customers.list({ limit: 100 }));
  await em.close();

  // The request log is a ring: once full, recording stays O(1) (it used to shift an array, which
  // slowed a long run 2–3×). Fill a small log past its size, then measure against `retrieve` above
  // (a default log still filling) in the same run.
  const LOG = 1_000;
  const logged = await startEmulator({ maxRecordedRequests: LOG });
  const loggedSdk = sdk(logged.port);
  const seedId = (await loggedSdk.customers.create({ email: 'log@example.com' })).id;
  for (let i = 0; i < LOG * 1.2; i += CONCURRENCY)
    await Promise.all(Array.from({ length: CONCURRENCY }, () => loggedSdk.customers.retrieve(seedId)));
  const filled = logged.requests.length;
  const logFull = await measure(() => loggedSdk.customers.retrieve(seedId));
  await logged.close();

  const rows: Array<[string, number]> = [
    ['bare http server, SDK retrieve (baseline)', baseline],
    ['emulator create customer', create],
    ['emulator retrieve customer', retrieve],
    ['emulator list customers (limit 10)', list],
    ['emulator list customers (limit 100)', list100],
    [`emulator retrieve, request log full (${filled} kept)`, logFull],
  ];
  console.log(`\nemulator throughput (SDK, ${CONCURRENCY} concurrent, ${DURATION_MS / 1000} s each)`);
  for (const [name, rps] of rows) {
    console.log(
      `  ${name.padEnd(42)} ${rps.toFixed(0).padStart(7)} req/s   ${(rps / baseline).toFixed(2)}× baseline`,
    );
  }

  console.log(
    `  request log full vs filling (retrieve): ${(logFull / retrieve).toFixed(2)} (≈1: no slow-down once full)`,
  );

  // Memory with one million stored objects, loaded in bulk.
  global.gc?.();
  const before = process.memoryUsage();
  const big = await startEmulator();
  const t0 = Date.now();
  const BATCH = 100_000;
  let peakRss = 0;
  for (let b = 0; b < 10; b++) {
    const batch = Array.from({ length: BATCH }, (_, i) => ({
      email: `user${b * BATCH + i}@example.com`,
      name: `User ${b * BATCH + i}`,
      metadata: { tier: i % 3 ? 'free' : 'pro' },
    }));
    big.load('customer', batch);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const loadMs = Date.now() - t0;
  global.gc?.();
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  const bigSdk = sdk(big.port);
  const first = await bigSdk.customers.list({ limit: 100 });
  let cursor = first.data[99].id;
  const t1 = Date.now();
  for (let i = 0; i < 50; i++)
    cursor = (await bigSdk.customers.list({ limit: 100, starting_after: cursor })).data[99].id;
  const pageMs = (Date.now() - t1) / 50;
  const t2 = Date.now();
  const filtered = await bigSdk.customers.list({ email: 'user5@example.com' });
  const scanMs = Date.now() - t2;
  await big.close();
  console.log('\nemulator memory with 1,000,000 stored customers');
  console.log(`  bulk load                 ${loadMs} ms (${((1e6 / loadMs) * 1000).toFixed(0)} objects/s)`);
  console.log(
    `  heap used                 ${mb(before.heapUsed)} → ${mb(after.heapUsed)} (+${((after.heapUsed - before.heapUsed) / 1e6).toFixed(0)} bytes/object)`,
  );
  console.log(`  rss                       ${mb(before.rss)} → ${mb(after.rss)}, peak ${mb(peakRss)}`);
  console.log(`  deep page (limit 100, starting_after)  ${pageMs.toFixed(1)} ms per page`);
  console.log(`  full scan (email filter, ${filtered.data.length} hit) ${scanMs} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
