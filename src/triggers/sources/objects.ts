/**
 * The object poller, for "added" triggers on entities without a suitable event (Microsoft's way):
 * lists the entity by `created` from its checkpoint, oldest first, through the catalog's list
 * operation. Each poll first re-reads the checkpoint's own second (`created[gte]`/`[lte]`) since
 * objects created in the same second may list on either side of the last one seen; ids already
 * seen at that second are dropped. Each object becomes an inbox event `<resource>.added` whose id
 * is the object's id. As in the events poller, an object dated after our clock (a test clock's
 * invoice) is put at once but never becomes the cursor, or the objects made after it, dated
 * before it, would sort behind the anchor and never be listed.
 */
import type { ConnectorContext } from '../../context.ts';
import { ConnectorError } from '../../errors.ts';
import type { Atomic, Checkpoints, Inbox, InboxEvent } from '../ports.ts';
import { readWindow, walkForward, type Obj } from './forward.ts';
import { deliverable } from './inbox-event.ts';

export interface ObjectsCheckpoint {
  /** `created` of the newest object put (or the start time). */
  created: number;
  /** Ids put at that second. */
  ids: string[];
  /** The newest object put: the `ending_before` anchor. */
  anchor?: string;
}

export interface ObjectsPoller {
  ctx: ConnectorContext;
  inbox: Inbox;
  checkpoints: Checkpoints;
  /** Binds each batch's inbox put and checkpoint write into one transaction (the store's). */
  atomic?: Atomic;
  trigger: string;
  /** Entity name or resource id: `Charge`, `invoiceitem`. */
  entity: string;
  stripeAccount?: string;
  batchSize?: number;
  now?: () => number;
  /** When the trigger was added (epoch s): where a first poll begins. Read only then. */
  startAt?: () => Promise<number | undefined>;
  /** Told of a listed object that lacks what delivery needs (skipped, never stored). */
  onRefused?: (objectId: string, reason: string) => void;
  signal?: AbortSignal;
}

/** The entity's resource id and list path, if it can be listed by `created`. */
export function listByCreated(ctx: ConnectorContext, name: string): { resourceId: string; path: string } {
  const entity = ctx.catalog.entity(name);
  const op = ctx.catalog.operation(entity, 'list');
  if (!op || op.pathParams.length || !op.params.some((p) => p.name === 'created')) {
    throw new ConnectorError(
      'OPERATION_NOT_SUPPORTED',
      `entity: ${entity.entity} cannot be polled for new objects: Stripe has no top-level list of it by created${op ? ` (${op.path})` : ''}; use an events trigger`,
      { keys: ['entity'], entity: entity.entity },
    );
  }
  return { resourceId: entity.id, path: op.path };
}

export async function pollObjects(
  p: ObjectsPoller,
): Promise<{ listed: number; inserted: number; checkpoint: ObjectsCheckpoint }> {
  const { resourceId, path } = listByCreated(p.ctx, p.entity);
  const walk = { path, stripeAccount: p.stripeAccount, signal: p.signal };
  const now = (p.now ?? (() => Math.floor(Date.now() / 1000)))();
  let cp = await p.checkpoints.get<ObjectsCheckpoint>(p.trigger);
  if (!cp) {
    const added = await p.startAt?.();
    // From when the trigger was added (objects of that second included), as the events poller
    // does; without that time from now, where what already exists in this second is not "added".
    cp =
      added !== undefined && added <= now
        ? { created: added, ids: [] }
        : { created: now, ids: (await readWindow(p.ctx.gateway, walk, now, now)).map((o) => o.id) };
    await p.checkpoints.set(p.trigger, cp);
  }
  const state = { listed: 0, inserted: 0, cp };
  const toEvent = (o: Obj): InboxEvent => ({
    id: o.id,
    type: `${resourceId}.added`,
    created: o.created,
    ...(p.stripeAccount ? { account: p.stripeAccount } : {}),
    data: { object: o },
    source: 'objects',
  });
  const put = async (objects: Obj[]) => {
    state.listed += objects.length;
    const seen = new Set(state.cp.ids);
    const fresh = objects.filter((o) => !(o.created === state.cp.created && seen.has(o.id)));
    const next = { ...state.cp, ids: [...state.cp.ids] };
    for (const o of fresh) {
      if (o.created > now) continue;
      if (o.created > next.created) Object.assign(next, { created: o.created, ids: [] });
      if (o.created === next.created) next.ids.push(o.id);
      if (o.created >= next.created) next.anchor = o.id;
    }
    const usable = fresh.map(toEvent).filter((e) => deliverable(e, p.onRefused));
    const direct: Atomic = (fn) => fn(p);
    const { inserted } = await (p.atomic ?? direct)(async ({ inbox, checkpoints }) => {
      const put = await inbox.put(p.trigger, usable);
      await checkpoints.set(p.trigger, next);
      return put;
    });
    state.inserted += inserted.length;
    state.cp = next;
  };
  await put(await readWindow(p.ctx.gateway, walk, cp.created, cp.created));
  let batch: Obj[] = [];
  for await (const o of walkForward(p.ctx.gateway, {
    ...walk,
    anchor: state.cp.anchor,
    since: state.cp.created,
  })) {
    batch.push(o);
    if (batch.length < (p.batchSize ?? 100)) continue;
    await put(batch);
    batch = [];
  }
  if (batch.length) await put(batch);
  return { listed: state.listed, inserted: state.inserted, checkpoint: state.cp };
}
