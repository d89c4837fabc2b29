/**
 * Store throughput: enqueue + claim + ack of deliveries per second, on SQLite (WAL, a temp file)
 * and PostgreSQL (the test server from .ci/setup-services.sh, a throw-away schema), against a plain
 * in-memory array queue doing the same steps in the same run. Batches of 50 per claim, as a
 * dispatcher would; every enqueue is its own (durable) statement.
 *   npm run bench -- store        (BENCH_QUICK=1 for a smoke run)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../src/store/index.ts';

const N = process.env.BENCH_QUICK ? 500 : 5000;
const BATCH = 50;

/** batchAcks: a batch's acks in one transaction (one commit), as a dispatcher may do. */
async function storeRate(store: Store, batchAcks = false): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    await store.deliveries.enqueue({ trigger: 'bench', eventId: `evt_${i}`, payload: { i }, ordered: false });
  }
  let done = 0;
  while (done < N) {
    const batch = await store.deliveries.claim({ worker: 'bench', leaseMs: 60_000, limit: BATCH });
    if (batchAcks) {
      await store.transaction(async (tx) => {
        for (const d of batch) await tx.deliveries.ack(d.id, 'bench');
      });
    } else for (const d of batch) await store.deliveries.ack(d.id, 'bench');
    done += batch.length;
  }
  return N / ((performance.now() - start) / 1000);
}

async function baselineRate(): Promise<number> {
  interface Item {
    id: number;
    payload: unknown;
    status: string;
  }
  const queue: Item[] = [];
  const byKey = new Map<string, Item>();
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const key = `bench/evt_${i}`;
    if (byKey.has(key)) continue;
    const item = { id: i, payload: JSON.parse(JSON.stringify({ i })), status: 'queued' };
    byKey.set(key, item);
    queue.push(item);
    await Promise.resolve();
  }
  let head = 0;
  while (head < queue.length) {
    const batch = queue.slice(head, head + BATCH);
    head += batch.length;
    for (const item of batch) {
      item.status = 'succeeded';
      await Promise.resolve();
    }
  }
  return N / ((performance.now() - start) / 1000);
}

async function dropBenchSchemas(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema')!;
  const client = new pg.Client({ connectionString: url.replace(/[?&]schema=[^&]*/, '') });
  await client.connect();
  for (const suffix of ['a', 'b']) await client.query(`drop schema if exists ${schema}_${suffix} cascade`);
  await client.end();
}

function pgUrl(): string | undefined {
  const file = new URL('../.tmp/pg-url', import.meta.url);
  const base =
    process.env.STRIPE_CONNECTOR_TEST_PG ??
    (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  return base && `${base}${base.includes('?') ? '&' : '?'}schema=bench_${process.pid}`;
}

export async function run(): Promise<void> {
  const baseline = await baselineRate();
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const rows: Array<[string, number]> = [['in-memory array (baseline)', baseline]];
  try {
    for (const batchAcks of [false, true]) {
      const sqlite = await openStore({ url: `sqlite:${join(dir, `store-${batchAcks}.db`)}` });
      rows.push([`SQLite (WAL)${batchAcks ? ', batched acks' : ''}`, await storeRate(sqlite, batchAcks)]);
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = pgUrl();
  if (url) {
    try {
      for (const batchAcks of [false, true]) {
        const pgStore = await openStore({ url: `${url}_${batchAcks ? 'b' : 'a'}` });
        rows.push([`PostgreSQL${batchAcks ? ', batched acks' : ''}`, await storeRate(pgStore, batchAcks)]);
        await pgStore.close();
      }
      await dropBenchSchemas(url);
    } catch (err) {
      console.log(`PostgreSQL skipped: ${(err as Error).message}`);
    }
  } else console.log('PostgreSQL skipped: no .tmp/pg-url (run .ci/setup-services.sh)');
  console.log(`deliveries enqueued+claimed+acked, n=${N}, claim batch ${BATCH}`);
  for (const [name, rate] of rows) {
    console.log(
      `${name.padEnd(28)} ${rate.toFixed(0).padStart(9)} /s   ${(rate / baseline).toFixed(4)} × baseline`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
