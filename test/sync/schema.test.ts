/**
 * Tables from the catalog: snake_case names, typed columns for scalars, JSON for nested values,
 * references as ids (indexed), and a migration when the catalog changes (new API version, fields).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { tableSpec } from '../../src/sync/columns.ts';
import { migrateTarget, TABLES_META } from '../../src/sync/migrate.ts';
import { toRow, upsertRows } from '../../src/sync/rows.ts';
import { openTarget } from '../../src/sync/target.ts';
import { dropTarget, freshTarget, pgUnreachable } from './support.ts';

const catalog = loadCatalog();
const pgSkip = await pgUnreachable();

describe('table specs', () => {
  it('names tables in snake_case and types columns from the catalog', () => {
    expect(tableSpec(catalog, catalog.entity('PaymentIntent')).table).toBe('payment_intent');
    expect(tableSpec(catalog, catalog.entity('CheckoutSession')).table).toBe('checkout_session');
    const cols = Object.fromEntries(
      tableSpec(catalog, catalog.entity('Customer')).columns.map((c) => [c.name, c]),
    );
    expect(cols.balance).toEqual({ name: 'balance', kind: 'integer' });
    expect(cols.created.kind).toBe('integer');
    expect(cols.delinquent.kind).toBe('boolean');
    expect(cols.email.kind).toBe('text');
    expect(cols.address.kind).toBe('json');
    expect(cols.metadata.kind).toBe('json');
    expect(cols.default_source).toEqual({ name: 'default_source', kind: 'text', reference: true });
    expect(cols.id).toBeUndefined();
  });
});

describe.each([
  ['sqlite', undefined],
  ['postgres', pgSkip],
] as const)('migrations on %s', (dialect, skip) => {
  it.skipIf(Boolean(skip))(
    'creates tables with indexes, then adds the columns a newer catalog has',
    async () => {
      const url =
        dialect === 'sqlite'
          ? `sqlite:${join(mkdtempSync(join(tmpdir(), 'schema-')), 't.db')}`
          : freshTarget('postgres');
      const target = await openTarget(url);
      try {
        const full = tableSpec(catalog, catalog.entity('Invoice'));
        const old = {
          ...full,
          columns: full.columns.filter((c) => c.name !== 'customer_email' && c.name !== 'total'),
        };
        expect((await migrateTarget(target, [old], '2022-11-15')).created).toEqual(['invoice']);
        const row = toRow(
          old,
          { id: 'in_1', created: 5, customer: { id: 'cus_1', object: 'customer' }, lines: { data: [] } },
          { account: '', version: { created: 1, id: '' }, dialect },
        );
        await upsertRows(target.db, old, [row]);
        // Applying the same catalog again changes nothing.
        expect(await migrateTarget(target, [old], '2022-11-15')).toEqual({
          created: [],
          added: {},
          stale: {},
        });
        const report = await migrateTarget(target, [full], catalog.apiVersion);
        expect(report.added).toEqual({ invoice: ['customer_email', 'total'] });
        const meta = await target.db.selectFrom(TABLES_META).selectAll().executeTakeFirstOrThrow();
        expect(meta.api_version).toBe(catalog.apiVersion);
        const got = await target.db.selectFrom('invoice').selectAll().executeTakeFirstOrThrow();
        expect(got).toMatchObject({ id: 'in_1', customer: 'cus_1', customer_email: null, total: null });
        expect(JSON.parse(got.lines)).toEqual({ data: [] });
        const indexes = (await target.db.introspection.getTables()).find((t) => t.name === 'invoice');
        expect(indexes).toBeDefined();
        const names =
          dialect === 'sqlite'
            ? (
                (await target.db
                  .selectFrom('sqlite_master' as any)
                  .select('name')
                  .where('type', '=', 'index')
                  .execute()) as any[]
              ).map((r) => r.name)
            : (
                (await target.db
                  .selectFrom('pg_indexes' as any)
                  .select('indexname as name')
                  .where('tablename', '=', 'invoice')
                  .execute()) as any[]
              ).map((r) => r.name);
        expect(names).toEqual(
          expect.arrayContaining(['invoice_created_idx', 'invoice_customer_idx', 'invoice_subscription_idx']),
        );
        // A field the catalog dropped is kept, and said so.
        const fewer = { ...full, columns: full.columns.filter((c) => c.name !== 'footer') };
        expect((await migrateTarget(target, [fewer], '2099-01-01')).stale).toEqual({ invoice: ['footer'] });
      } finally {
        await target.close();
        await dropTarget(url);
      }
    },
  );
});
