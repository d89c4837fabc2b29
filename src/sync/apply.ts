/**
 * Applies a batch of Stripe events to the mirror's tables, in `created` order, never over a newer
 * snapshot (decide.ts). A `*.deleted` event (or a re-fetch that finds the object gone) makes a
 * tombstone: `deleted_at` is set and the last known columns are kept. Rows and the per-entity
 * "last event applied" commit in one transaction.
 */
import { ConnectorError } from '../errors.ts';
import type { Gateway } from '../gateway/types.ts';
import { META_COLUMNS, type TableSpec } from './columns.ts';
import { decide } from './decide.ts';
import { toRow, upsertRows, versionsOf, type Obj, type Row, type Version } from './rows.ts';
import { setState } from './state.ts';
import type { Target } from './target.ts';

export interface MirroredEntity {
  spec: TableSpec;
  /** `/v1/customers/{customer}`: the retrieve path, `{…}` standing for the id. */
  retrievePath: string;
}

export interface ApplyContext {
  target: Target;
  /** Scoped to the account (forAccount). */
  gateway: Gateway;
  sync: string;
  account: string;
  /** By resource id (`customer`), which is what an event's `data.object.object` says. */
  entities: Map<string, MirroredEntity>;
}

export interface ApplyResult {
  applied: number;
  skipped: number;
  refetched: number;
  tombstones: number;
}

export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Obj };
}

type Final =
  | { kind: 'row'; row: Row }
  | { kind: 'tombstone'; id: string; deletedAt: number; version: Version; snapshot: Obj; exists: boolean };

function tombstoned(row: Row, deletedAt: number, version: Version): Row {
  return {
    ...row,
    [META_COLUMNS.deletedAt]: deletedAt,
    [META_COLUMNS.versionCreated]: version.created,
    [META_COLUMNS.versionId]: version.id,
  };
}

async function refetch(ctx: ApplyContext, entity: MirroredEntity, id: string): Promise<Obj | undefined> {
  try {
    const object = await ctx.gateway.request<Obj>({
      method: 'GET',
      path: entity.retrievePath.replace(/\{[^}]+\}/, encodeURIComponent(id)),
    });
    return object.deleted ? undefined : object;
  } catch (error) {
    if (error instanceof ConnectorError && error.code === 'STRIPE_NOT_FOUND') return undefined;
    throw error;
  }
}

export async function applyEvents(ctx: ApplyContext, events: StripeEvent[]): Promise<ApplyResult> {
  const result: ApplyResult = { applied: 0, skipped: 0, refetched: 0, tombstones: 0 };
  const byResource = new Map<string, StripeEvent[]>();
  for (const e of events) {
    const resource = e.data?.object?.object;
    if (typeof resource !== 'string' || !ctx.entities.has(resource) || !e.data.object.id) continue;
    byResource.set(resource, [...(byResource.get(resource) ?? []), e]);
  }
  const writes: Array<{ entity: MirroredEntity; finals: Map<string, Final>; last: StripeEvent }> = [];
  for (const [resource, list] of byResource) {
    const entity = ctx.entities.get(resource)!;
    list.sort((a, b) => a.created - b.created);
    const ids = [...new Set(list.map((e) => String(e.data.object.id)))];
    const current = await versionsOf(ctx.target.db, entity.spec, ids);
    const inDb = new Set(current.keys());
    const finals = new Map<string, Final>();
    for (const e of list) {
      const id = String(e.data.object.id);
      const version = { created: e.created, id: e.id };
      const cur = current.get(id);
      const decision = decide(cur, version);
      if (decision === 'skip') {
        result.skipped++;
        continue;
      }
      let snapshot: Obj | undefined = e.data.object;
      let gone = e.type.endsWith('.deleted') || Boolean(snapshot.deleted);
      if (decision === 'refetch') {
        result.refetched++;
        snapshot = await refetch(ctx, entity, id);
        gone = !snapshot;
        version.created = Math.max(version.created, cur?.created ?? 0);
      }
      if (gone) {
        const earlier = finals.get(id);
        if (earlier?.kind === 'row') {
          // Created and deleted within one batch: the earlier snapshot, marked deleted.
          finals.set(id, { kind: 'row', row: tombstoned(earlier.row, e.created, version) });
        } else {
          const snap = snapshot ?? e.data.object;
          finals.set(id, {
            kind: 'tombstone',
            id,
            deletedAt: e.created,
            version,
            snapshot: snap,
            exists: inDb.has(id),
          });
        }
        result.tombstones++;
      } else {
        const row = toRow(entity.spec, snapshot!, {
          account: ctx.account,
          version,
          dialect: ctx.target.dialect,
        });
        finals.set(id, { kind: 'row', row });
      }
      current.set(id, { ...version, deleted: gone });
      result.applied++;
    }
    writes.push({ entity, finals, last: list.at(-1)! });
  }
  await ctx.target.db.transaction().execute(async (tx) => {
    for (const { entity, finals, last } of writes) {
      const rows: Row[] = [];
      for (const f of finals.values()) {
        if (f.kind === 'row') rows.push(f.row);
        else if (f.exists) {
          // Keep the last known columns; only the tombstone and the version change.
          await tx
            .updateTable(entity.spec.table)
            .set({
              [META_COLUMNS.deletedAt]: f.deletedAt,
              [META_COLUMNS.versionCreated]: f.version.created,
              [META_COLUMNS.versionId]: f.version.id,
              [META_COLUMNS.syncedAt]: Date.now(),
            })
            .where('id', '=', f.id)
            .where(META_COLUMNS.versionCreated, '<=', f.version.created)
            .execute();
        } else {
          rows.push(
            toRow(entity.spec, f.snapshot, {
              account: ctx.account,
              version: f.version,
              deletedAt: f.deletedAt,
              dialect: ctx.target.dialect,
            }),
          );
        }
      }
      await upsertRows(tx, entity.spec, rows);
      await setState(
        tx,
        { sync: ctx.sync, account: ctx.account, entity: entity.spec.entity, slice: 'events' },
        {
          state: {
            lastEventId: last.id,
            lastEventType: last.type,
            lastEventCreated: last.created,
            appliedAt: Date.now(),
          },
        },
      );
    }
  });
  return result;
}
