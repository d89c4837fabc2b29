/**
 * The incremental part against the emulator: objects created, updated and deleted while the sync
 * runs end up exactly as a fresh listing shows them, deletes as tombstones. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import type { ConnectorContext } from '../../src/context.ts';
import { ConnectorError } from '../../src/errors.ts';
import { runSync, syncStatus, openTarget, type SyncEvent } from '../../src/sync/index.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { hasEvents } from '../../src/sync/entities.ts';
import { knownEventTypes } from '../../src/triggers/event-types.ts';
import { contextFor, dropTarget, freshTarget, pgUnreachable } from './support.ts';

const pgSkip = await pgUnreachable();
if (pgSkip) console.warn(`incremental.test.ts (postgres) skipped: ${pgSkip}`);

async function listAll(ctx: ConnectorContext, path: string): Promise<Map<string, any>> {
  const out = new Map<string, any>();
  for (let after: string | undefined; ;) {
    const page = await ctx.gateway.request({
      method: 'GET',
      path,
      params: { limit: 100, ...(after ? { starting_after: after } : {}) },
    });
    for (const o of page.data) out.set(o.id, o);
    if (!page.has_more) return out;
    after = page.data.at(-1).id;
  }
}

/** The ids of a table's live rows (not tombstones). */
async function tableIdsOf(to: string, table: string): Promise<string[]> {
  const target = await openTarget(to);
  try {
    const rows = await target.db.selectFrom(table).select('id').where('deleted_at', 'is', null).execute();
    return rows.map((r: any) => String(r.id));
  } finally {
    await target.close();
  }
}

/** The mirror makes its tables once it starts: before then, a missing table is "not yet". */
const notYet = (error: unknown) => /does not exist|no such table/.test(String((error as Error).message));

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  const ready = () => check().catch((error) => (notYet(error) ? false : Promise.reject(error)));
  while (!(await ready())) {
    if (Date.now() > end) throw new Error('timed out waiting for the mirror to catch up');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('which entities have events', () => {
  it('knows sub-object events (customer.subscription.*, charge.dispute.*) and dotted resources', () => {
    const types = knownEventTypes(loadCatalog());
    expect(hasEvents(types, 'customer')).toBe(true);
    expect(hasEvents(types, 'subscription')).toBe(true);
    expect(hasEvents(types, 'dispute')).toBe(true);
    expect(hasEvents(types, 'issuing.card')).toBe(true);
    expect(hasEvents(types, 'checkout.session')).toBe(true);
    expect(hasEvents(types, 'balance_transaction')).toBe(false);
  });
});

describe.each([
  ['sqlite', undefined],
  ['postgres', pgSkip],
] as const)('incremental on %s', (dialect, skip) => {
  let emulator: Emulator;
  let ctx: ConnectorContext;
  const to = freshTarget(dialect);
  beforeAll(async () => {
    if (skip) return;
    emulator = await startEmulator({ port: 0 });
    const now = Math.floor(Date.now() / 1000);
    emulator.load(
      'customer',
      Array.from({ length: 300 }, (_, i) => ({
        id: `cus_old${i}`,
        created: now - 3600 - i * 60,
        email: `o${i}@example.com`,
      })),
    );
    emulator.load(
      'product',
      Array.from({ length: 50 }, (_, i) => ({ id: `prod_old${i}`, created: now - 3600 - i, name: `P${i}` })),
    );
    ctx = contextFor(emulator);
  });
  afterAll(async () => {
    await ctx?.gateway.close();
    await emulator?.close();
    if (!skip) await dropTarget(to);
  });

  it.skipIf(Boolean(skip))(
    'creates, updates and deletes while it runs: the tables equal a fresh listing',
    async () => {
      const stop = new AbortController();
      const running = runSync(ctx, {
        to,
        entities: ['Customer', 'Product'],
        pollIntervalMs: 100,
        signal: stop.signal,
      });
      const post = (path: string, params: Record<string, unknown> = {}) =>
        ctx.gateway.request({ method: 'POST', path, params });
      const deleted: string[] = [];
      try {
        // Writes start while the backfill may still be running: nothing may fall between the two.
        for (let i = 0; i < 30; i++) {
          const c = await post('/v1/customers', { email: `n${i}@example.com` });
          if (i % 3 === 0)
            await post(`/v1/customers/${c.id}`, { name: `Name ${i}`, metadata: { round: '1' } });
          if (i % 5 === 0) {
            await ctx.gateway.request({ method: 'DELETE', path: `/v1/customers/${c.id}` });
            deleted.push(c.id);
          }
          await post(`/v1/customers/cus_old${i}`, { name: `Old ${i}` });
        }
        await ctx.gateway.request({ method: 'DELETE', path: '/v1/customers/cus_old7' });
        deleted.push('cus_old7');
        await post('/v1/products/prod_old3', { name: 'Renamed product' });
        await ctx.gateway.request({ method: 'DELETE', path: '/v1/products/prod_old4' });

        const customers = await listAll(ctx, '/v1/customers');
        const products = await listAll(ctx, '/v1/products');
        const target = await openTarget(to);
        try {
          const live = async (table: string) =>
            (await target.db
              .selectFrom(table)
              .selectAll()
              .where('deleted_at', 'is', null)
              .execute()) as any[];
          // Converged when the live rows equal the listing and every delete is a tombstone (a backfill
          // that ran after the writes already shows the live rows; the tombstones come from events).
          const dead = async () =>
            (
              await target.db
                .selectFrom('customer')
                .select('id')
                .where('deleted_at', 'is not', null)
                .execute()
            ).length;
          await until(async () => {
            if ((await dead()) !== deleted.length) return false;
            const c = await live('customer');
            const p = await live('product');
            return (
              c.length === customers.size &&
              c.every((r) => customers.get(r.id)?.name === r.name) &&
              p.length === products.size &&
              p.every((r) => products.get(r.id)?.name === r.name)
            );
          });
          for (const r of await live('customer')) {
            const o = customers.get(r.id);
            expect({
              email: r.email,
              name: r.name,
              metadata: r.metadata == null ? null : JSON.parse(r.metadata),
            }).toEqual({
              email: o.email,
              name: o.name,
              metadata: o.metadata ?? null,
            });
          }
          const tombstones = (await target.db
            .selectFrom('customer')
            .select(['id', 'deleted_at', 'email'])
            .where('deleted_at', 'is not', null)
            .execute()) as any[];
          expect(tombstones.map((t) => t.id).sort()).toEqual([...deleted].sort());
          // A tombstone keeps the last known columns.
          expect(tombstones.find((t) => t.id === 'cus_old7')?.email).toBe('o7@example.com');
          const gone = await target.db
            .selectFrom('product')
            .select(['deleted_at'])
            .where('id', '=', 'prod_old4')
            .executeTakeFirst();
          expect(gone?.deleted_at).toEqual(expect.any(Number));
        } finally {
          await target.close();
        }
      } finally {
        stop.abort();
        await running;
      }
      const status = await syncStatus(to);
      const customer = status.entities.find((e) => e.entity === 'Customer')!;
      expect(customer).toMatchObject({
        account: 'platform',
        rows: 300 + 30 - deleted.length,
        tombstones: deleted.length,
      });
      // The backfill reads everything created up to its start (some new ones too, if in that second).
      expect(customer.backfill.done).toBe(true);
      expect(customer.backfill.rows).toBeGreaterThanOrEqual(300);
      expect(customer.lastEvent?.id).toMatch(/^evt_/);
      expect(customer.lagSeconds).toBeLessThan(5);
    },
    60_000,
  );

  it.skipIf(Boolean(skip))(
    'a future-dated event does not stop the events after it: a customer deleted later is tombstoned',
    async () => {
      const other = freshTarget(dialect);
      try {
        await runSync(ctx, { to: other, entities: ['Customer'], once: true });
        // An event stamped a month ahead (a test clock's renewal, or Stripe's clock far off ours).
        const ahead = Math.floor(Date.now() / 1000) + 30 * 86400;
        emulator.load('event', [
          {
            type: 'customer.updated',
            created: ahead,
            api_version: '2023-08-16',
            pending_webhooks: 0,
            request: { id: null, idempotency_key: null },
            data: { object: { id: 'cus_ahead', object: 'customer', email: 'ahead@example.com' } },
          },
        ]);
        const first = await runSync(ctx, { to: other, entities: ['Customer'], once: true });
        expect(first.applied).toBe(1);
        const c = await ctx.gateway.request({
          method: 'POST',
          path: '/v1/customers',
          params: { email: 'after@example.com' },
        });
        await ctx.gateway.request({ method: 'DELETE', path: `/v1/customers/${c.id}` });
        const second = await runSync(ctx, { to: other, entities: ['Customer'], once: true });
        expect(second.applied).toBe(2);
        const target = await openTarget(other);
        try {
          const row = await target.db
            .selectFrom('customer')
            .select(['email', 'deleted_at'])
            .where('id', '=', c.id)
            .executeTakeFirst();
          expect(row).toEqual({ email: 'after@example.com', deleted_at: expect.any(Number) });
        } finally {
          await target.close();
        }
      } finally {
        await dropTarget(other);
      }
    },
  );

  it.skipIf(Boolean(skip))(
    'until stopped, an entity whose backfill failed is tried again while the others follow their events',
    async () => {
      const other = freshTarget(dialect);
      // Stripe refuses the products listing twice and the events listing once.
      const refusals: Record<string, number> = { '/v1/products': 2, '/v1/events': 1 };
      const gateway = Object.create(ctx.gateway) as typeof ctx.gateway;
      gateway.request = async (req) => {
        if ((refusals[req.path] ?? 0) > 0) {
          refusals[req.path]--;
          throw new ConnectorError('STRIPE_API_ERROR', `GET ${req.path} failed with HTTP 500: down`);
        }
        return ctx.gateway.request(req);
      };
      const events: SyncEvent[] = [];
      const stop = new AbortController();
      const running = runSync(
        { ...ctx, gateway },
        {
          to: other,
          entities: ['Customer', 'Product'],
          pollIntervalMs: 50,
          refreshIntervalMs: 300,
          signal: stop.signal,
          onEvent: (e) => events.push(e),
        },
      );
      try {
        await until(async () => events.some((e) => e.kind === 'failed' && e.entity === 'Product'));
        const failing = (await syncStatus(other)).entities.find((e) => e.entity === 'Product');
        expect(failing).toMatchObject({ health: 'failing', error: { code: 'STRIPE_API_ERROR' } });
        // Customer follows its events meanwhile.
        const c = await ctx.gateway.request({
          method: 'POST',
          path: '/v1/customers',
          params: { email: 'x@y.z' },
        });
        await until(async () => (await tableIdsOf(other, 'customer')).includes(c.id));
        await until(async () => (await syncStatus(other)).entities.every((e) => e.health === 'healthy'));
        expect((await tableIdsOf(other, 'product')).sort()).toEqual(
          [...(await listAll(ctx, '/v1/products')).keys()].sort(),
        );
      } finally {
        stop.abort();
      }
      const summary = await running;
      expect(summary.failed).toEqual([]);
      const failures = events.flatMap((e) => (e.kind === 'failed' ? [`${e.entity} ${e.stage}`] : []));
      // One event as each failure began (the second refusal of products only refreshed its time).
      expect(failures.sort()).toEqual(['Customer events', 'Product backfill', 'Product events']);
      expect(summary.backfill.filter((b) => b.entity === 'Product')).toMatchObject([{ done: true }]);
      await dropTarget(other);
    },
    30_000,
  );

  it.skipIf(Boolean(skip))(
    'refreshes an entity Stripe sends no events for by listing on created',
    async () => {
      const other = freshTarget(dialect);
      const now = Math.floor(Date.now() / 1000);
      emulator.load('balance_transaction', [{ id: 'txn_before', created: now - 600, amount: 1 }]);
      await runSync(ctx, { to: other, entities: ['BalanceTransaction'], once: true });
      emulator.load('balance_transaction', [{ id: 'txn_after', created: now + 1, amount: 2 }]);
      await runSync(ctx, { to: other, entities: ['BalanceTransaction'], once: true });
      const target = await openTarget(other);
      try {
        const rows = await target.db
          .selectFrom('balance_transaction')
          .select(['id', 'amount'])
          .orderBy('id')
          .execute();
        expect(rows).toEqual([
          { id: 'txn_after', amount: 2 },
          { id: 'txn_before', amount: 1 },
        ]);
      } finally {
        await target.close();
        await dropTarget(other);
      }
    },
  );

  it.skipIf(Boolean(skip))(
    'refreshes an entity with no events whose list takes no created by listing it whole',
    async () => {
      const other = freshTarget(dialect);
      const now = Math.floor(Date.now() / 1000);
      emulator.load('apple_pay_domain', [{ id: 'apwc_before', created: now - 600, domain_name: 'a.test' }]);
      const first = await runSync(ctx, { to: other, entities: ['ApplePayDomain'], once: true });
      emulator.load('apple_pay_domain', [{ id: 'apwc_after', created: now - 900, domain_name: 'b.test' }]);
      const second = await runSync(ctx, { to: other, entities: ['ApplePayDomain'], once: true });
      expect([first.failed, second.failed]).toEqual([[], []]);
      expect((await tableIdsOf(other, 'apple_pay_domain')).sort()).toEqual(['apwc_after', 'apwc_before']);
      await dropTarget(other);
    },
  );

  it.skipIf(Boolean(skip))(
    'sees what changed while the backfill ran (events from its start)',
    async () => {
      const other = freshTarget(dialect);
      let created: string | undefined;
      let updated = false;
      await runSync(ctx, {
        to: other,
        entities: ['Customer'],
        once: true,
        concurrency: 1,
        onEvent: (e) => {
          // After the first page: one object created after the start, one older one changed.
          if (e.kind !== 'backfill' || created) return;
          created = 'pending';
          void (async () => {
            created = (
              await ctx.gateway.request({
                method: 'POST',
                path: '/v1/customers',
                params: { email: 'mid@example.com' },
              })
            ).id;
            await ctx.gateway.request({
              method: 'POST',
              path: '/v1/customers/cus_old299',
              params: { name: 'Changed mid-backfill' },
            });
            updated = true;
          })();
        },
      });
      await until(async () => updated);
      await runSync(ctx, { to: other, entities: ['Customer'], once: true });
      const target = await openTarget(other);
      try {
        const row = await target.db
          .selectFrom('customer')
          .select(['email'])
          .where('id', '=', created!)
          .executeTakeFirst();
        expect(row?.email).toBe('mid@example.com');
        const old = await target.db
          .selectFrom('customer')
          .select(['name'])
          .where('id', '=', 'cus_old299')
          .executeTakeFirst();
        expect(old?.name).toBe('Changed mid-backfill');
      } finally {
        await target.close();
        await dropTarget(other);
      }
    },
    30_000,
  );
});
