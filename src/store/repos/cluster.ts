/**
 * Nodes (heartbeats) and leases (a named right held by one holder until it expires). A lease is
 * taken with one conditional upsert, so two nodes racing for it cannot both win; `epoch` grows with
 * every new tenure (another holder, or the same one again after it expired or was released) and
 * serves as a fencing token. A lease's row is never deleted: releasing it expires it in place, so
 * its epoch keeps growing and a fencing token never repeats.
 */
import type { Selectable } from 'kysely';
import type { LeasesTable } from '../schema.ts';
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { Lease, LeaseRepo, NodeRepo } from '../types.ts';

export function nodeRepo({ db, now }: RepoContext): NodeRepo {
  return {
    async heartbeat(id, info) {
      const t = now();
      await db
        .insertInto('nodes')
        .values({ id, info: toJson(info), started_at: t, heartbeat_at: t })
        .onConflict((oc) => oc.column('id').doUpdateSet({ info: toJson(info), heartbeat_at: t }))
        .execute();
    },
    async list(aliveWithinMs) {
      const rows = await db
        .selectFrom('nodes')
        .selectAll()
        .$if(aliveWithinMs !== undefined, (qb) => qb.where('heartbeat_at', '>=', now() - aliveWithinMs!))
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        info: fromJson(r.info),
        startedAt: r.started_at,
        heartbeatAt: r.heartbeat_at,
      }));
    },
    async remove(id) {
      const r = await db.deleteFrom('nodes').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

const toLease = (r: Selectable<LeasesTable>): Lease => ({
  name: r.name,
  holder: r.holder,
  epoch: r.epoch,
  acquiredAt: r.acquired_at,
  expiresAt: r.expires_at,
});

export function leaseRepo({ db, now }: RepoContext): LeaseRepo {
  const get: LeaseRepo['get'] = async (name) => {
    const r = await db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
    return r && toLease(r);
  };
  return {
    async acquire(name, holder, ttlMs) {
      const t = now();
      const row = await db
        .insertInto('leases')
        .values({ name, holder, epoch: 1, acquired_at: t, expires_at: t + ttlMs })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet((eb) => {
              const stillOurs = eb.and([eb('leases.holder', '=', holder), eb('leases.expires_at', '>', t)]);
              return {
                holder,
                expires_at: t + ttlMs,
                // Still ours and live: a renewal, same tenure. Anything else is a new one.
                epoch: eb
                  .case()
                  .when(stillOurs)
                  .then(eb.ref('leases.epoch'))
                  .else(eb(eb.ref('leases.epoch'), '+', 1))
                  .end(),
                acquired_at: eb.case().when(stillOurs).then(eb.ref('leases.acquired_at')).else(t).end(),
              };
            })
            .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<=', t)])),
        )
        .returningAll()
        .executeTakeFirst();
      return row && toLease(row);
    },
    async renew(name, holder, ttlMs) {
      const t = now();
      const row = await db
        .updateTable('leases')
        .set({ expires_at: t + ttlMs })
        .where('name', '=', name)
        .where('holder', '=', holder)
        .where('expires_at', '>', t)
        .returningAll()
        .executeTakeFirst();
      return row && toLease(row);
    },
    /** Expires it now (the row and its epoch stay); false unless it was ours and live. */
    async release(name, holder) {
      const t = now();
      const r = await db
        .updateTable('leases')
        .set({ expires_at: t })
        .where('name', '=', name)
        .where('holder', '=', holder)
        .where('expires_at', '>', t)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    get,
    async list(holder) {
      const rows = await db
        .selectFrom('leases')
        .selectAll()
        .$if(holder !== undefined, (qb) => qb.where('holder', '=', holder!))
        .orderBy('name')
        .execute();
      return rows.map(toLease);
    },
  };
}
