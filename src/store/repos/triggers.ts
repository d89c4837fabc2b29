/** Trigger definitions and their sources' checkpoints. */
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { CheckpointRepo, TriggerRepo } from '../types.ts';

export function triggerRepo({ db, now }: RepoContext): TriggerRepo {
  return {
    async put(name, definition) {
      const t = now();
      const row = await db
        .insertInto('triggers')
        .values({ name, definition: toJson(definition), created_at: t, updated_at: t })
        .onConflict((oc) => oc.column('name').doUpdateSet({ definition: toJson(definition), updated_at: t }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return { name, definition, createdAt: row.created_at, updatedAt: row.updated_at };
    },
    async get(name) {
      const r = await db.selectFrom('triggers').selectAll().where('name', '=', name).executeTakeFirst();
      return (
        r && {
          name: r.name,
          definition: fromJson(r.definition),
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        }
      );
    },
    async list() {
      const rows = await db.selectFrom('triggers').selectAll().orderBy('name').execute();
      return rows.map((r) => ({
        name: r.name,
        definition: fromJson(r.definition),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      }));
    },
    async remove(name) {
      const r = await db.deleteFrom('triggers').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

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
