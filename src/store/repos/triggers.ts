/** Trigger sources' checkpoints (the definitions are a named repo: see named.ts). */
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { CheckpointRepo } from '../types.ts';

export function checkpointRepo({ db, now }: RepoContext): CheckpointRepo {
  return {
    async get(trigger, source) {
      const r = await db
        .selectFrom('checkpoints')
        .selectAll()
        .where('trigger', '=', trigger)
        .where('source', '=', source)
        .executeTakeFirst();
      return r && { trigger, source, cursor: r.cursor, state: fromJson(r.state), updatedAt: r.updated_at };
    },
    async set(trigger, source, cursor, state) {
      const t = now();
      const values = { cursor, state: state === undefined ? null : toJson(state), updated_at: t };
      await db
        .insertInto('checkpoints')
        .values({ trigger, source, ...values })
        .onConflict((oc) => oc.columns(['trigger', 'source']).doUpdateSet(values))
        .execute();
    },
    async list(trigger) {
      const rows = await db
        .selectFrom('checkpoints')
        .selectAll()
        .$if(trigger !== undefined, (qb) => qb.where('trigger', '=', trigger!))
        .orderBy('trigger')
        .orderBy('source')
        .execute();
      return rows.map((r) => ({
        trigger: r.trigger,
        source: r.source,
        cursor: r.cursor,
        state: fromJson(r.state),
        updatedAt: r.updated_at,
      }));
    },
    async remove(trigger, source) {
      const r = await db
        .deleteFrom('checkpoints')
        .where('trigger', '=', trigger)
        .$if(source !== undefined, (qb) => qb.where('source', '=', source!))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
