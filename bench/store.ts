/**
 * Store throughput: enqueue + claim + ack of deliveries per second, on SQLite (WAL, a temp file)
 * and PostgreSQL (the test server from .ci/setup-services.sh, a throw-away schema), against a plain
 * in-memory array queue doing the same steps in the same run. Batches of 50 per claim, as a
 * dispatcher would; every enqueue is its own (durable) statement. Then the trigger path as the
 * runner writes it, in transactions of 100 (its group commit): receive (the signature sighting,
 * the inbox row, the delivery), claim 16 at a time with every claimed one still held (a claim
 * must not walk the jobs in flight), ack; µs per event against the baseline's.
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

/** µs per event of each step of the trigger path. */
async function hotPath(store: Store): Promise<Record<'receive' | 'claim' | 'ack', number>> {
  const payload = { id: 'evt', data: { object: { email: 'x'.repeat(1000) } } };
  const inTransactions = async (
    n: number,
    write: (tx: Parameters<Parameters<Store['transaction']>[0]>[0], i: number) => Promise<unknown>,
  ) => {
    const start = performance.now();
    for (let i = 0; i < n; i += 100)
      await store.transaction(async (tx) => {
        for (let j = i; j < Math.min(n, i + 100); j++) await write(tx, j);
      });
    return ((performance.now() - start) * 1000) / n;
  };
  const receive = await inTransactions(N, async (tx, i) => {
    await tx.inbox.add({
      scope: 'webhook-signatures',
      eventId: `evt_${i}|t=1`,
      type: 'signature',
      payload: null,
    });
    await tx.inbox.add({ scope: 'conn:bench', eventId: `evt_${i}`, type: 'customer.created', payload });
    await tx.deliveries.enqueue({ trigger: 'hot', eventId: `evt_${i}`, payload, ordered: false });
  });
  const held: number[] = [];
  const start = performance.now();
  while (held.length < N) {
    const batch = await store.deliveries.claim({
      triggers: ['hot'],
      worker: 'bench',
      leaseMs: 600_000,
      limit: 16,
    });
    held.push(...batch.map((d) => d.id));
  }
  const claim = ((performance.now() - start) * 1000) / N;
  const ack = await inTransactions(N, (tx, i) => tx.deliveries.ack(held[i], 'bench'));
  return { receive, claim, ack };
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
  for (const suffix of ['a', 'b', 'c'])
    await client.query(`drop schema if exists ${schema}_${suffix} cascade`);
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
  const hot: Array<[string, Record<string, number>]> = [];
  try {
    for (const batchAcks of [false, true]) {
      const sqlite = await openStore({ url: `sqlite:${join(dir, `store-${batchAcks}.db`)}` });
      rows.push([`SQLite (WAL)${batchAcks ? ', batched acks' : ''}`, await storeRate(sqlite, batchAcks)]);
      await sqlite.close();
    }
    const sqlite = await openStore({ url: `sqlite:${join(dir, 'hot.db')}` });
    hot.push(['SQLite (WAL)', await hotPath(sqlite)]);
    await sqlite.close();
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
      const pgStore = await openStore({ url: `${url}_c` });
      hot.push(['PostgreSQL', await hotPath(pgStore)]);
      await pgStore.close();
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
  const baselineUs = 1e6 / baseline;
  console.log(
    `trigger path, transactions of 100, claims of 16 with all claimed held, n=${N} (baseline ${baselineUs.toFixed(2)} µs/event)`,
  );
  for (const [name, steps] of hot)
    console.log(
      `${name.padEnd(28)} ${Object.entries(steps)
        .map(([step, us]) => `${step} ${us.toFixed(1)} µs (${(us / baselineUs).toFixed(0)}×)`)
        .join('   ')}`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
