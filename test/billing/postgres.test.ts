/**
 * Billing on PostgreSQL (`--store postgres://…`): two nodes, each with its own store connection and
 * worker, share the queues; each integration still runs one job at a time, in creation order.
 * Skipped, saying why, without a server (.ci/setup-services.sh starts one; URL in .tmp/pg-url).
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { BillingService, type WorkerEvent } from '../../src/billing/index.ts';
import { openStore, redactUrl, type Store } from '../../src/store/index.ts';
import { bench, ref } from './support.ts';

const URL_FILE = new URL('../../.tmp/pg-url', import.meta.url);
const EXAMPLE = new URL('../../examples/plans.yaml', import.meta.url).pathname;
const baseUrl =
  process.env.STRIPE_CONNECTOR_TEST_PG ??
  (existsSync(URL_FILE)
    ? readFileSync(URL_FILE, 'utf8').trim()
    : 'postgres://postgres@127.0.0.1:54329/connector_test');
const schema = `billing_${process.pid}_${randomBytes(3).toString('hex')}`;
const url = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}schema=${schema}`;

async function query(text: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query(text);
    return undefined;
  } catch (err) {
    return `PostgreSQL not reachable at ${redactUrl(baseUrl)} (${(err as Error).message}); run .ci/setup-services.sh`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const skipReason = await query('select 1');
afterAll(async () => {
  if (!skipReason) await query(`drop schema if exists "${schema}" cascade`);
});

describe.skipIf(skipReason !== undefined)(
  `billing on PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('two nodes work off one queue: one job at a time per integration, in order, nothing twice', async () => {
      const b = await bench();
      const stores: Store[] = [await openStore({ url }), await openStore({ url })];
      const events: WorkerEvent[] = [];
      const nodes = stores.map(
        (store) => new BillingService({ store, env: b.env, idleMs: 10, onEvent: (e) => events.push(e) }),
      );
      try {
        await nodes[0].addIntegration({
          title: 'My Billing',
          publishableKey: ref('PK'),
          secretKey: ref('SK'),
        });
        await nodes[0].addCatalog('sandbox', 'sandbox');
        await nodes[1].attach('sandbox', 'my-billing');
        const queued = await nodes[1].apply({ catalog: 'sandbox', file: EXAMPLE, wait: false });
        const workers = nodes.map((n) => n.worker());
        await Promise.all(workers.map((w) => w.start()));
        await expect
          .poll(async () => (await nodes[0].jobs({ status: 'succeeded' })).length, { timeout: 10_000 })
          .toBe(4);
        await Promise.all(workers.map((w) => w.stop()));
        const ids = queued.integrations[0].jobs!.map((j) => j.id);
        const order = events
          .filter((e) => e.kind === 'started' || e.kind === 'succeeded')
          .map((e) => `${e.kind}:${(e as { job: { id: number } }).job.id}`);
        expect(order).toEqual(ids.flatMap((id) => [`started:${id}`, `succeeded:${id}`]));
        expect((await b.stripe.prices.list({ limit: 100 })).data).toHaveLength(3);
        const sub = await nodes[0].subscribe({
          integration: 'my-billing',
          plan: 'pro-monthly',
          consumer: 'pg-1',
          card: 'pm_card_visa',
        });
        expect(sub.subscription).toMatchObject({ status: 'active', invoice: { status: 'paid' } });
      } finally {
        for (const n of nodes) await n.close();
        for (const s of stores) await s.close();
        await b.close();
      }
    }, 60_000);
  },
);
