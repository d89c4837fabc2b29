/**
 * The mirror's positions, kept in the target next to the rows (`_stripe_sync_state`): per (sync,
 * account, entity, slice) a JSON state and a done flag. Written in the same transaction as the
 * rows a page produced, so after a crash the position never runs ahead of the rows (no gaps) and
 * rows never run ahead of the position by more than one idempotent page (no duplicates: `id` is the
 * primary key and a page re-read is an upsert).
 */
import type { Kysely } from 'kysely';
import { STATE_TABLE } from './migrate.ts';

export interface StateRow<S = unknown> {
  sync: string;
  account: string;
  entity: string;
  slice: string;
  state: S | null;
  done: boolean;
  updatedAt: number;
}

export interface StateKey {
  sync: string;
  account: string;
  entity: string;
  slice: string;
}

export async function getState<S>(db: Kysely<any>, key: StateKey): Promise<StateRow<S> | undefined> {
  const r = await db
    .selectFrom(STATE_TABLE)
    .selectAll()
    .where('sync', '=', key.sync)
    .where('account', '=', key.account)
    .where('entity', '=', key.entity)
    .where('slice', '=', key.slice)
    .executeTakeFirst();
  return r ? toRow<S>(r) : undefined;
}

export async function setState(
  db: Kysely<any>,
  key: StateKey,
  value: { state?: unknown; done?: boolean },
): Promise<void> {
  const update = {
    updated_at: Date.now(),
    ...(value.state !== undefined ? { state: JSON.stringify(value.state) } : {}),
    ...(value.done !== undefined ? { done: value.done ? 1 : 0 } : {}),
  };
  await db
    .insertInto(STATE_TABLE)
    .values({ ...key, state: null, done: 0, ...update })
    .onConflict((oc) => oc.columns(['sync', 'account', 'entity', 'slice']).doUpdateSet(update))
    .execute();
}

export async function listState(
  db: Kysely<any>,
  filter: { sync: string; account?: string; entity?: string },
): Promise<StateRow[]> {
  const rows = await db
    .selectFrom(STATE_TABLE)
    .selectAll()
    .where('sync', '=', filter.sync)
    .$if(filter.account !== undefined, (q) => q.where('account', '=', filter.account!))
    .$if(filter.entity !== undefined, (q) => q.where('entity', '=', filter.entity!))
    .orderBy('account')
    .orderBy('entity')
    .orderBy('slice')
    .execute();
  return rows.map((r) => toRow(r));
}

function toRow<S>(r: any): StateRow<S> {
  return {
    sync: r.sync,
    account: r.account,
    entity: r.entity,
    slice: r.slice,
    state: r.state == null ? null : (JSON.parse(r.state) as S),
    done: Number(r.done) === 1,
    updatedAt: Number(r.updated_at),
  };
}

export async function deleteState(db: Kysely<any>, key: StateKey): Promise<void> {
  await db
    .deleteFrom(STATE_TABLE)
    .where('sync', '=', key.sync)
    .where('account', '=', key.account)
    .where('entity', '=', key.entity)
    .where('slice', '=', key.slice)
    .execute();
}
