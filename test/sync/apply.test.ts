/**
 * Ordering of events onto rows: an older event never regresses a row, a replay is a no-op, two
 * events of one second are settled by re-fetching, a delete is a tombstone that keeps the last
 * known columns and that older events do not revive.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { ConnectorError } from '../../src/errors.ts';
import type { Gateway } from '../../src/gateway/types.ts';
import { applyEvents, type ApplyContext, type StripeEvent } from '../../src/sync/apply.ts';
import { tableSpec } from '../../src/sync/columns.ts';
import { decide } from '../../src/sync/decide.ts';
import { migrateTarget } from '../../src/sync/migrate.ts';
import { toRow, upsertRows } from '../../src/sync/rows.ts';
import { openTarget, type Target } from '../../src/sync/target.ts';

const catalog = loadCatalog();
const spec = tableSpec(catalog, catalog.entity('Customer'));

function fakeGateway(objects: Map<string, Record<string, unknown>>, calls: string[]): Gateway {
  return {
    mode: 'test',
    apiVersion: catalog.apiVersion,
    async request({ path }) {
      calls.push(path);
      const id = path.split('/').at(-1)!;
      const o = objects.get(id);
      if (!o) throw new ConnectorError('STRIPE_NOT_FOUND', `No such customer: '${id}'`, {});
      return o as any;
    },
    close: async () => {},
  };
}

const event = (id: string, created: number, type: string, object: Record<string, unknown>): StripeEvent => ({
  id,
  type,
  created,
  data: { object: { object: 'customer', ...object } },
});

describe('applying events', () => {
  let target: Target;
  let ctx: ApplyContext;
  const live = new Map<string, Record<string, unknown>>();
  const calls: string[] = [];
  const row = async (id: string) =>
    (await target.db.selectFrom('customer').selectAll().where('id', '=', id).executeTakeFirst()) as any;

  beforeEach(async () => {
    target = await openTarget(`sqlite:${join(mkdtempSync(join(tmpdir(), 'apply-')), 't.db')}`);
    await migrateTarget(target, [spec], catalog.apiVersion);
    live.clear();
    calls.length = 0;
    ctx = {
      target,
      gateway: fakeGateway(live, calls),
      sync: 'default',
      account: '',
      entities: new Map([['customer', { spec, retrievePath: '/v1/customers/{customer}' }]]),
    };
  });
  afterEach(() => target.close());

  it('drops an out-of-order older event: the row keeps the newer snapshot', async () => {
    await applyEvents(ctx, [event('evt_new', 200, 'customer.updated', { id: 'cus_1', name: 'New' })]);
    const r = await applyEvents(ctx, [
      event('evt_old', 100, 'customer.updated', { id: 'cus_1', name: 'Old' }),
    ]);
    expect(r).toMatchObject({ applied: 0, skipped: 1 });
    expect(await row('cus_1')).toMatchObject({ name: 'New', _version_created: 200, _version_id: 'evt_new' });
  });

  it('orders a batch by created, whatever order it came in', async () => {
    await applyEvents(ctx, [
      event('evt_b', 300, 'customer.updated', { id: 'cus_1', name: 'Third' }),
      event('evt_a', 100, 'customer.created', { id: 'cus_1', name: 'First' }),
    ]);
    expect((await row('cus_1')).name).toBe('Third');
  });

  it('a replayed event is a no-op; two events of one second are settled by a re-fetch', async () => {
    await applyEvents(ctx, [event('evt_1', 100, 'customer.created', { id: 'cus_1', name: 'A' })]);
    expect(
      await applyEvents(ctx, [event('evt_1', 100, 'customer.created', { id: 'cus_1', name: 'A' })]),
    ).toMatchObject({ skipped: 1 });
    live.set('cus_1', { id: 'cus_1', object: 'customer', name: 'Current' });
    const r = await applyEvents(ctx, [
      event('evt_2', 100, 'customer.updated', { id: 'cus_1', name: 'Maybe stale' }),
    ]);
    expect(r).toMatchObject({ refetched: 1, applied: 1 });
    expect(calls).toEqual(['/v1/customers/cus_1']);
    expect((await row('cus_1')).name).toBe('Current');
  });

  it('a listing snapshot within the clock doubt is re-fetched, not trusted either way', async () => {
    const listed = toRow(
      spec,
      { id: 'cus_1', name: 'Listed' },
      { account: '', version: { created: 500, id: '' }, dialect: 'sqlite' },
    );
    await upsertRows(target.db, spec, [listed]);
    live.set('cus_1', { id: 'cus_1', object: 'customer', name: 'Fetched' });
    await applyEvents(ctx, [event('evt_x', 498, 'customer.updated', { id: 'cus_1', name: 'Event' })]);
    expect((await row('cus_1')).name).toBe('Fetched');
    // Well before the listing: older, dropped without a call.
    calls.length = 0;
    await applyEvents(ctx, [event('evt_y', 400, 'customer.updated', { id: 'cus_1', name: 'Older' })]);
    expect(calls).toEqual([]);
    expect((await row('cus_1')).name).toBe('Fetched');
  });

  it('a delete is a tombstone that keeps the columns, and an older event does not revive it', async () => {
    await applyEvents(ctx, [
      event('evt_1', 100, 'customer.created', { id: 'cus_1', email: 'a@b.c', name: 'A' }),
    ]);
    await applyEvents(ctx, [event('evt_2', 200, 'customer.deleted', { id: 'cus_1', deleted: true })]);
    expect(await row('cus_1')).toMatchObject({ email: 'a@b.c', name: 'A', deleted_at: 200 });
    await applyEvents(ctx, [event('evt_3', 150, 'customer.updated', { id: 'cus_1', name: 'Late' })]);
    expect(await row('cus_1')).toMatchObject({ name: 'A', deleted_at: 200 });
    // A delete seen for an object never mirrored still leaves its tombstone.
    await applyEvents(ctx, [event('evt_4', 300, 'customer.deleted', { id: 'cus_2', email: 'z@b.c' })]);
    expect(await row('cus_2')).toMatchObject({ email: 'z@b.c', deleted_at: 300 });
  });

  it('created and deleted in one batch: a tombstone with the created snapshot', async () => {
    await applyEvents(ctx, [
      event('evt_1', 100, 'customer.created', { id: 'cus_9', email: 'n@b.c' }),
      event('evt_2', 101, 'customer.deleted', { id: 'cus_9', deleted: true }),
    ]);
    expect(await row('cus_9')).toMatchObject({ email: 'n@b.c', deleted_at: 101 });
  });
});

describe('decide', () => {
  it('applies newer, drops older, re-fetches ties and near listings', () => {
    expect(decide(undefined, { created: 1, id: 'evt_a' })).toBe('apply');
    expect(decide({ created: 10, id: 'evt_a' }, { created: 11, id: 'evt_b' })).toBe('apply');
    expect(decide({ created: 10, id: 'evt_a' }, { created: 9, id: 'evt_b' })).toBe('skip');
    expect(decide({ created: 10, id: 'evt_a' }, { created: 10, id: 'evt_a' })).toBe('skip');
    expect(decide({ created: 10, id: 'evt_a' }, { created: 10, id: 'evt_b' })).toBe('refetch');
    expect(decide({ created: 100, id: '' }, { created: 103, id: 'evt_b' })).toBe('refetch');
    expect(decide({ created: 100, id: '' }, { created: 106, id: 'evt_b' })).toBe('apply');
  });
});
