/**
 * Query engine benchmark on an emulator holding 100,000 customers with 50 ms latency:
 *   (1) a selective filter (`email = '…'`): API requests made vs a naive full scan;
 *   (2) a full export: rows/s vs the raw SDK's `autoPagingEach` (our throttle lifted to 10,000/s so
 *       the comparison is about paging), then the same export at the default throttle of a test key
 *       (what a user gets), and peak heap growth at 10k vs 100k rows.
 * BENCH_QUICK=1: 10,000 customers.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Stripe from 'stripe';
import { loadCatalog } from '../src/catalog/index.ts';
import { DEFAULT_TPS } from '../src/connection/load.ts';
import { startEmulator } from '../src/emulator/index.ts';
import { createGateway } from '../src/gateway/index.ts';
import { runQuery } from '../src/query/index.ts';
import { makeCustomers } from '../test/query/fake.ts';

// Retained heap after a forced GC: the emulator runs in this process, and its garbage is not ours.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function retainedMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

export async function run(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const total = quick ? 10_000 : 100_000;
  const latency = 50;
  const emulator = await startEmulator({ port: 0 });
  emulator.load('customer', makeCustomers(total, 3));
  emulator.setConditions({ latency: { ms: latency } });
  const catalog = loadCatalog();
  // The raw SDK has no throttle; give ours the same freedom so the comparison is about paging.
  const gateway = createGateway({
    apiKey: 'sk_test_123',
    baseUrl: emulator.url,
    throttle: { tps: 10_000, burst: 1000 },
  });
  const ctx = { catalog, gateway };
  const url = new URL(emulator.url);
  const sdk = new Stripe('sk_test_123', {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    telemetry: false,
    maxNetworkRetries: 0,
  });
  try {
    // (1) selective filter
    const target = `user${Math.floor(total / 2)}@example.com`;
    emulator.clearRequests();
    let found = 0;
    for await (const _ of runQuery(ctx, { entity: 'Customer', filter: `email = '${target}'` })) found++;
    const filteredRequests = emulator.requests.length;
    const naivePages = Math.ceil(total / 100);
    console.log(
      `(1) email = '…' over ${total} customers: ${found} row(s), ${filteredRequests} request(s) vs ${naivePages} for a naive full scan → ${(naivePages / filteredRequests).toFixed(0)}× fewer`,
    );

    // (2) full export: raw SDK autoPagingEach vs our sliced scan
    emulator.clearRequests();
    let t = performance.now();
    let sdkRows = 0;
    await sdk.customers.list({ limit: 100 }).autoPagingEach(() => {
      sdkRows++;
    });
    const sdkSecs = (performance.now() - t) / 1000;
    const sdkRate = sdkRows / sdkSecs;
    console.log(
      `(2) SDK autoPagingEach: ${sdkRows} rows in ${sdkSecs.toFixed(1)} s = ${Math.round(sdkRate)} rows/s (${emulator.requests.length} requests)`,
    );

    for (const concurrency of [8, 16]) {
      emulator.clearRequests();
      t = performance.now();
      let rows = 0;
      const stats = { probes: 0, slices: 0 };
      for await (const _ of runQuery(ctx, { entity: 'Customer' }, { concurrency, stats })) rows++;
      const secs = (performance.now() - t) / 1000;
      const rate = rows / secs;
      console.log(
        `    connector, ${concurrency} cursors: ${rows} rows in ${secs.toFixed(1)} s = ${Math.round(rate)} rows/s (${emulator.requests.length} requests, ${stats.probes} probes, ${stats.slices} slices) → ${(rate / sdkRate).toFixed(1)}× the SDK (goal ≥ 3×)`,
      );
    }

    // What a user with a test key gets: the same export at the connection's default throttle.
    const throttled = createGateway({ apiKey: 'sk_test_123', baseUrl: emulator.url });
    try {
      emulator.clearRequests();
      t = performance.now();
      let rows = 0;
      for await (const _ of runQuery(
        { catalog, gateway: throttled },
        { entity: 'Customer' },
        { concurrency: 8 },
      ))
        rows++;
      const secs = (performance.now() - t) / 1000;
      const rate = rows / secs;
      console.log(
        `    connector at the default test-mode throttle (${DEFAULT_TPS.test} requests/s), 8 cursors: ${rows} rows in ${secs.toFixed(1)} s = ${Math.round(rate)} rows/s (${emulator.requests.length} requests) → ${(rate / sdkRate).toFixed(1)}× the unthrottled SDK`,
      );
    } finally {
      await throttled.close();
    }

    // Peak heap growth while exporting 10k vs all rows (rows are dropped by a counting sink).
    emulator.setConditions({ latency: { ms: 0 } });
    const sizes = quick ? [2_000, total] : [10_000, total];
    const peaks: number[] = [];
    for (const n of sizes) {
      const base = retainedMb();
      let peak = base;
      let rows = 0;
      const input = { entity: 'Customer', limit: n < total ? n : undefined };
      for await (const _ of runQuery(ctx, input, { concurrency: 8 })) {
        if (++rows % 2000 === 0) peak = Math.max(peak, retainedMb());
      }
      peaks.push(peak - base);
      console.log(`    peak retained heap growth exporting ${rows} rows: ${(peak - base).toFixed(1)} MB`);
    }
    console.log(
      `    memory ratio ${sizes[1] / sizes[0]}× rows → ${(peaks[1] / Math.max(peaks[0], 1)).toFixed(1)}× peak retained heap growth (floor 1 MB; flat ≈ 1×)`,
    );
  } finally {
    await gateway.close();
    await emulator.close();
  }
}
