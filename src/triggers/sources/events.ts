/**
 * The Events-API poller: walks `/v1/events` forward from its checkpoint, oldest first, into the
 * trigger's inbox. Each poll first re-reads the last `overlapSeconds` before the checkpoint, since
 * Stripe's list is eventually consistent (an event may show up after newer ones were listed); the
 * inbox's dedup by event id drops what was already seen. That re-read runs at most once every sixth
 * of the window (10 s by default), not on every poll: each event is still looked for again five
 * times within its window, and a 1 s poll at 100 events/s no longer re-lists 6,000 events (60
 * pages) a second. Progress is stored after every batch, so a long catch-up survives a crash.
 *
 * No event is a cursor if it is dated after our own clock. An event stamped ahead of it (Stripe's
 * clock and ours disagree; an emulator's test clock) is delivered at once, but neither the walk's
 * anchor nor the checkpoint's `created` moves onto it: the list is ordered by `created`, so events
 * made later but dated before it would sort behind such an anchor and never be listed again. Each
 * poll lists it anew until our clock passes it (the inbox's dedup drops the repeats); then the
 * cursor moves over it like any other. Thus the checkpoint never runs ahead of the clock that
 * wrote it, and a restart resumes from it safely.
 */
import type { Gateway } from '../../gateway/types.ts';
import type { Atomic, Checkpoints, Inbox } from '../ports.ts';
import { eventFilters, type EventFilter } from './event-filter.ts';
import { readWindow, walkForward, type Obj } from './forward.ts';
import { deliverable, fromStripeEvent } from './inbox-event.ts';
import { mergeByCreated } from './merge.ts';
import { EVENT_RETENTION_S, retentionNotice, type RetentionNotice } from './retention.ts';

export interface EventsCheckpoint {
  /** `created` of the newest event put into the inbox (or the time the trigger started). */
  created: number;
  /** Ids put at that second, skipped when listed again. */
  ids: string[];
  /** Per filter key: the newest event put from that walk, its `ending_before` anchor. */
  anchors: Record<string, string>;
  /** When the last complete poll started: every event created before it has been listed. */
  polledAt: number;
  /** When the trigger started: nothing older is delivered, overlap or not. */
  start: number;
  /** Events that already existed in the start second: never delivered either. */
  startIds: string[];
  /** When the overlap window was last re-read (epoch s). */
  overlapAt?: number;
}

export interface EventsPoller {
  gateway: Gateway;
  inbox: Inbox;
  checkpoints: Checkpoints;
  /** Binds each batch's inbox put and checkpoint write into one transaction (the store's). */
  atomic?: Atomic;
  trigger: string;
  types: readonly string[];
  /** Re-read window before the checkpoint (default 60 s; 0: only the checkpoint's own second). */
  overlapSeconds?: number;
  stripeAccount?: string;
  /** Events per inbox batch (and checkpoint write). */
  batchSize?: number;
  /** Seconds since the epoch; injectable for tests. */
  now?: () => number;
  /** When the trigger was added (epoch s): where a first poll begins. Read only then. */
  startAt?: () => Promise<number | undefined>;
  onNotice?: (notice: RetentionNotice) => void;
  /** Told of a listed event that lacks what delivery needs (skipped, never stored). */
  onRefused?: (eventId: string, reason: string) => void;
  signal?: AbortSignal;
}

export interface PollResult {
  listed: number;
  inserted: number;
  checkpoint: EventsCheckpoint;
  /** Set when the checkpoint was past Stripe's retention: the window nobody can read any more. */
  lost?: { from: number; to: number };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export async function pollEvents(p: EventsPoller): Promise<PollResult> {
  const now = (p.now ?? nowSeconds)();
  const filters = eventFilters(p.types);
  const overlapSeconds = p.overlapSeconds ?? 60;
  let cp = await p.checkpoints.get<EventsCheckpoint>(p.trigger);
  if (!cp) {
    cp = await firstCheckpoint(p, filters, now);
    // Remembered at once: a crash before the first event must not move the start.
    await p.checkpoints.set(p.trigger, cp);
  }
  if (cp.created > now + overlapSeconds) {
    // Further ahead of our clock than this poller ever moves it: written before the rule above
    // (or our clock stepped far back). Which events it skipped is unknown, so walk again from the
    // oldest event Stripe still keeps; the inbox's dedup drops what was delivered.
    const created = Math.max(cp.start, now - EVENT_RETENTION_S);
    cp = { ...cp, created, ids: [], anchors: {} };
  }
  const notice = retentionNotice(p.trigger, cp.polledAt, now);
  if (notice) p.onNotice?.(notice);
  let lost: PollResult['lost'];
  if (notice?.kind === 'events-lost') {
    lost = { from: notice.from, to: notice.to };
    // The anchors are past the window too; walk from the oldest event Stripe still has.
    cp = { ...cp, created: Math.max(cp.created, now - EVENT_RETENTION_S), ids: [], anchors: {} };
  }
  const state = { listed: 0, inserted: 0, cp, now };
  const reread = rereadDue(cp, now, overlapSeconds);
  if (reread) await put(p, state, await overlap(p, filters, cp), []);
  const walks = filters.map((f) =>
    walkForward(p.gateway, {
      path: '/v1/events',
      params: f.params,
      anchor: state.cp.anchors[f.key],
      since: state.cp.created,
      stripeAccount: p.stripeAccount,
      signal: p.signal,
    }),
  );
  let batch: Obj[] = [];
  let from: number[] = [];
  for await (const { item, from: i } of mergeByCreated(walks)) {
    batch.push(item);
    from.push(i);
    if (batch.length < (p.batchSize ?? 100)) continue;
    await put(
      p,
      state,
      batch,
      from.map((i) => filters[i]),
    );
    batch = [];
    from = [];
  }
  await put(
    p,
    state,
    batch,
    from.map((i) => filters[i]),
  );
  state.cp = { ...state.cp, polledAt: now, ...(reread ? { overlapAt: now } : {}) };
  await p.checkpoints.set(p.trigger, state.cp);
  return { listed: state.listed, inserted: state.inserted, checkpoint: state.cp, ...(lost ? { lost } : {}) };
}

/**
 * Where a trigger begins: when it was added (`startAt`), so what was made between `trigger add` and
 * the first poll is new to it — events of that second too, which may include a few made just
 * before the add (a duplicate-free "added" cannot tell them apart; missing one would be worse).
 * Past Stripe's retention, from the oldest event still kept. Without `startAt`, from now, where
 * this second's events count as existing.
 */
async function firstCheckpoint(
  p: EventsPoller,
  filters: EventFilter[],
  now: number,
): Promise<EventsCheckpoint> {
  const added = await p.startAt?.();
  if (added !== undefined && added <= now) {
    const start = Math.max(added, now - EVENT_RETENTION_S);
    return { created: start, ids: [], anchors: {}, polledAt: now, start, startIds: [] };
  }
  const ids = (await overlap(p, filters, { start: now, created: now }, 0)).map((e) => e.id);
  return { created: now, ids, anchors: {}, polledAt: now, start: now, startIds: ids };
}

/** Whether this poll re-reads the overlap window: once every sixth of it, at least a second apart. */
function rereadDue(cp: EventsCheckpoint, now: number, overlapSeconds: number): boolean {
  return cp.overlapAt === undefined || now - cp.overlapAt >= Math.max(1, Math.floor(overlapSeconds / 6));
}

/** The events of the last `overlapSeconds` up to the checkpoint, oldest first (a short window). */
async function overlap(
  p: EventsPoller,
  filters: EventFilter[],
  cp: Pick<EventsCheckpoint, 'start' | 'created'>,
  seconds = p.overlapSeconds ?? 60,
): Promise<Obj[]> {
  if (seconds < 0) return [];
  const from = Math.max(cp.start, cp.created - seconds);
  const found: Obj[] = [];
  for (const f of filters) {
    const walk = { path: '/v1/events', params: f.params, stripeAccount: p.stripeAccount, signal: p.signal };
    found.push(...(await readWindow(p.gateway, walk, from, cp.created)));
  }
  // Stable: within a second, each walk's own (Stripe's) order is kept.
  return found.sort((a, b) => a.created - b.created);
}

/**
 * Puts one batch (dropping ids already at the checkpoint's second), then moves the checkpoint over
 * the events dated up to our clock (`state.now`); one dated later is put but moves nothing.
 */
async function put(
  p: EventsPoller,
  state: { listed: number; inserted: number; cp: EventsCheckpoint; now: number },
  events: Obj[],
  filters: EventFilter[],
): Promise<void> {
  if (!events.length) return;
  state.listed += events.length;
  const { start, created } = state.cp;
  const seen = new Set(state.cp.ids);
  const before = new Set(state.cp.startIds);
  const fresh = events.filter(
    (e) =>
      deliverable(e, p.onRefused) &&
      e.created >= start &&
      !(e.created === created && seen.has(e.id)) &&
      !(e.created === start && before.has(e.id)),
  );
  const unique = [...new Map(fresh.map((e) => [e.id, e])).values()];
  const cp = { ...state.cp, anchors: { ...state.cp.anchors } };
  events.forEach((e, i) => {
    if (e.created > state.now) return;
    if (filters[i]) cp.anchors[filters[i].key] = e.id;
    if (e.created > cp.created) {
      cp.created = e.created;
      cp.ids = [];
    }
    if (e.created === cp.created && !cp.ids.includes(e.id)) cp.ids.push(e.id);
  });
  const direct: Atomic = (fn) => fn(p);
  const { inserted } = await (p.atomic ?? direct)(async ({ inbox, checkpoints }) => {
    const put = await inbox.put(
      p.trigger,
      unique.map((e) => fromStripeEvent(e, 'events')),
    );
    await checkpoints.set(p.trigger, cp);
    return put;
  });
  state.inserted += inserted.length;
  state.cp = cp;
}
