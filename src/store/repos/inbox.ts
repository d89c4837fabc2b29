/**
 * The durable inbox: every event a source saw, once per scope. The scope is whose events they are:
 * a webhook endpoint serves all of a connection's triggers, so its events are scoped to the
 * connection (`conn:<name>`) and deduplicated once there; each trigger then gets its own delivery
 * (deduplicated by (trigger, event id) in the deliveries). A poller of one trigger may scope to it.
 */
import type { Selectable } from 'kysely';
import type { InboxTable } from '../schema.ts';
import { fromJson, toJson, type RepoContext } from '../context.ts';
import { insertNew } from '../direct.ts';
import type { InboxEvent, InboxRepo } from '../types.ts';

function toEvent<P>(r: Selectable<InboxTable>): InboxEvent<P> {
  return {
    id: Number(r.id),
    scope: r.scope,
    eventId: r.event_id,
    type: r.event_type,
    account: r.account,
    eventCreated: r.event_created,
    payload: fromJson<P>(r.payload),
    receivedAt: r.received_at,
  };
}

export function inboxRepo(ctx: RepoContext): InboxRepo {
  const { db, now } = ctx;
  const get: InboxRepo['get'] = async (scope, eventId) => {
    const r = await db
      .selectFrom('inbox')
      .selectAll()
      .where('scope', '=', scope)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return r && toEvent(r);
  };
  return {
    async add(input) {
      const row = {
        scope: input.scope,
        event_id: input.eventId,
        event_type: input.type,
        account: input.account ?? null,
        event_created: input.eventCreated ?? null,
        payload: toJson(input.payload),
        received_at: now(),
      };
      // Only the id back: the rest is what was written (no parse of a payload just serialised).
      const id = await insertNew(ctx, 'inbox', row, ['scope', 'event_id']);
      if (id !== undefined)
        return {
          event: { ...toEvent({ ...row, id, payload: 'null' }), payload: input.payload },
          inserted: true,
        };
      return { event: (await get(input.scope, input.eventId))!, inserted: false };
    },
    get,
    async list(opts) {
      const rows = await db
        .selectFrom('inbox')
        .selectAll()
        .where('scope', '=', opts.scope)
        .$if(opts.afterId !== undefined, (qb) => qb.where('id', '>', opts.afterId!))
        .$if(opts.from !== undefined, (qb) => qb.where('event_created', '>=', opts.from!))
        .$if(opts.to !== undefined, (qb) => qb.where('event_created', '<', opts.to!))
        .orderBy('id')
        .limit(opts.limit ?? 1000)
        .execute();
      return rows.map((r) => toEvent(r));
    },
    async prune(scope, before) {
      const r = await db
        .deleteFrom('inbox')
        .where('scope', '=', scope)
        .where('received_at', '<', before)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
