/** Mirror checkpoints: one row per (sync, entity, slice), so a backfill resumes slice by slice. */
import type { Selectable } from 'kysely';
import type { SyncStateTable } from '../schema.ts';
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { SyncRepo } from '../types.ts';

export function syncRepo({ db, now }: RepoContext): SyncRepo {
  const toCheckpoint = <S>(r: Selectable<SyncStateTable>) => ({
    sync: r.sync,
    entity: r.entity,
    slice: r.slice,
    cursor: r.cursor,
    state: fromJson<S | null>(r.state),
    done: r.done === 1,
    updatedAt: r.updated_at,
  });
  return {
    async get(sync, entity, slice) {
      const r = await db
        .selectFrom('sync_state')
        .selectAll()
        .where('sync', '=', sync)
        .where('entity', '=', entity)
        .where('slice', '=', slice)
        .executeTakeFirst();
      return r && toCheckpoint(r);
    },
    async set(sync, entity, slice, v) {
      const t = now();
      const update = {
        updated_at: t,
        ...(v.cursor !== undefined ? { cursor: v.cursor } : {}),
        ...(v.state !== undefined ? { state: toJson(v.state) } : {}),
        ...(v.done !== undefined ? { done: v.done ? 1 : 0 } : {}),
      };
      await db
        .insertInto('sync_state')
        .values({
          sync,
          entity,
          slice,
          cursor: v.cursor ?? null,
          state: v.state === undefined ? null : toJson(v.state),
          done: v.done ? 1 : 0,
          updated_at: t,
        })
        .onConflict((oc) => oc.columns(['sync', 'entity', 'slice']).doUpdateSet(update))
        .execute();
    },
    async list(sync, entity) {
      const rows = await db
        .selectFrom('sync_state')
        .selectAll()
        .where('sync', '=', sync)
        .$if(entity !== undefined, (qb) => qb.where('entity', '=', entity!))
        .orderBy('entity')
        .orderBy('slice')
        .execute();
      return rows.map((r) => toCheckpoint(r));
    },
    async clear(sync, entity) {
      const r = await db
        .deleteFrom('sync_state')
        .where('sync', '=', sync)
        .$if(entity !== undefined, (qb) => qb.where('entity', '=', entity!))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
