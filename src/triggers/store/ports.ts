/**
 * The trigger ports on the Store: the inbox is the store's inbox (dedup by event id per trigger)
 * plus one delivery job per new event, enqueued in the same transaction; the checkpoint is written
 * in the transaction of the events it covers; the delivery queue is the store's job queue (claim,
 * ack, fail; `FOR UPDATE SKIP LOCKED` on PostgreSQL). All writes go through one group commit.
 */
import type { Job, Repos, Store } from '../../store/types.ts';
import { deliveryId } from '../delivery-id.ts';
import type { Atomic, Checkpoints, Delivery, DeliveryQueue, Inbox, InboxEvent } from '../ports.ts';
import type { Receive } from '../sources/listener.ts';
import { GroupCommit } from './group-commit.ts';

/** The checkpoint row's `source` column for a trigger's poller. */
export const POLL_SOURCE = 'poll';
export const inboxScope = (trigger: string) => `trigger:${trigger}`;
/** Signed webhook requests seen, kept past the signature tolerance (older ones fail it anyway). */
export const SIGNATURE_SCOPE = 'webhook-signatures';
export const disabledKey = (trigger: string) => `trigger-disabled:${trigger}`;
/** Why a runner cannot run the trigger's delivery now (its sink cannot be made, …), and since when. */
export const failingKey = (trigger: string) => `trigger-failing:${trigger}`;
/** Jobs never dead-letter on their own: the dispatcher's retry policy decides (decide.ts). */
const UNLIMITED_ATTEMPTS = 1_000_000;

export interface StorePortsOptions {
  store: Store;
  /** This dispatcher's id, holder of its claims (workers.ts). */
  worker: string;
  /** How long a claim holds without renewal (renewed every third of it while in flight). */
  leaseMs?: number;
  /** Whether a trigger's deliveries wait for each other (default true). */
  ordered?: (trigger: string) => boolean;
  commit?: GroupCommit;
}

export interface StorePorts {
  inbox: Inbox;
  checkpoints: Checkpoints;
  atomic: Atomic;
  queue: DeliveryQueue;
  /** The webhook listener's replay guard: false if this signed request was already received. */
  firstSight(key: string): Promise<boolean>;
  /** The replay guard and the puts of one webhook call in one transaction (listener.ts `receive`). */
  receive: Receive;
  commit: GroupCommit;
  /** Stops renewing claims and waits for pending writes. */
  close(): Promise<void>;
}

async function putIn(tx: Repos, trigger: string, events: InboxEvent[], ordered: boolean) {
  const inserted: string[] = [];
  for (const event of events) {
    const added = await tx.inbox.add({
      scope: inboxScope(trigger),
      eventId: event.id,
      type: event.type,
      account: event.account ?? null,
      eventCreated: event.created,
      payload: event,
    });
    if (!added.inserted) continue;
    await tx.deliveries.enqueue({
      trigger,
      eventId: event.id,
      payload: event,
      ordered,
      maxAttempts: UNLIMITED_ATTEMPTS,
      backoffMs: 1,
      backoffMaxMs: 1,
    });
    inserted.push(event.id);
  }
  return { inserted };
}

async function sight(tx: Repos, key: string): Promise<boolean> {
  const sighting = { scope: SIGNATURE_SCOPE, eventId: key, type: 'signature', payload: null };
  return (await tx.inbox.add(sighting)).inserted;
}

const checkpointsIn = (repos: Pick<Repos, 'checkpoints'>): Checkpoints => ({
  async get<T>(trigger: string) {
    return ((await repos.checkpoints.get(trigger, POLL_SOURCE))?.state ?? undefined) as T | undefined;
  },
  async set<T>(trigger: string, value: T) {
    const created = (value as { created?: number })?.created;
    await repos.checkpoints.set(trigger, POLL_SOURCE, created === undefined ? null : String(created), value);
  },
});

export function storePorts(opts: StorePortsOptions): StorePorts {
  const { store, worker } = opts;
  const leaseMs = opts.leaseMs ?? 30_000;
  const commit = opts.commit ?? new GroupCommit(store);
  const ordered = opts.ordered ?? (() => true);
  const held = new Set<number>();
  const renew = setInterval(() => {
    const ids = [...held];
    if (ids.length)
      void commit
        .run(async (tx) => Promise.all(ids.map((id) => tx.jobs.extend(id, worker, leaseMs))))
        .catch(
          () => undefined, // the next renewal tries again; a lost claim shows at ack time
        );
  }, leaseMs / 3);
  renew.unref();

  const toDelivery = async (job: Job<InboxEvent>): Promise<Delivery> => {
    const before = job.attempts - 1;
    const first = before > 0 ? (await store.deliveries.attempts(job.id))[0]?.startedAt : undefined;
    return {
      // A payload without an id still makes a delivery: the dispatcher dead-letters it, naming why.
      id: deliveryId(job.group, String(job.payload?.id)),
      handle: job.id,
      trigger: job.group,
      seq: job.id,
      event: job.payload,
      attempts: before,
      ...(first !== undefined ? { firstAttemptAt: first } : {}),
    };
  };
  // Urgent: a retry, dead letter or release decides what is sent next, so it does not wait behind
  // the webhooks stored meanwhile. Acks are lazy instead: the sink has the delivery, an ordered
  // trigger's next send does not wait for the write, and acks ride along in the webhooks'
  // transactions rather than each starting one (a crash before it commits resends, same id).
  const settle = <T>(ds: Delivery[], fn: (tx: Repos) => Promise<T>, lazy = false) =>
    commit
      .run(fn, lazy ? { lazy } : { urgent: true })
      .finally(() => ds.forEach((d) => held.delete(d.handle)));

  const queue: DeliveryQueue = {
    async claim(trigger, limit, { ordered }) {
      const claim = { worker, leaseMs, limit };
      const jobs = await commit.run((tx) =>
        ordered
          ? tx.deliveries.claimRun<InboxEvent>({ ...claim, trigger })
          : tx.deliveries.claim<InboxEvent>({ ...claim, triggers: [trigger] }),
      );
      try {
        const deliveries = await Promise.all(jobs.map(toDelivery));
        for (const job of jobs) held.add(job.id);
        return deliveries;
      } catch (error) {
        // Not handed out: given back at once, not left claimed.
        await commit
          .run((tx) =>
            tx.deliveries.release(
              jobs.map((j) => j.id),
              worker,
            ),
          )
          .catch(() => 0);
        throw error;
      }
    },
    ack: (d) => settle([d], (tx) => tx.deliveries.ack(d.handle, worker), true),
    retry: async (d, u) =>
      void (await settle([d], (tx) =>
        tx.deliveries.fail(d.handle, worker, { error: u.error, retryAt: u.notBefore }),
      )),
    dead: async (d, u) =>
      void (await settle([d], (tx) => tx.deliveries.fail(d.handle, worker, { error: u.error, dead: true }))),
    release: async (ds) =>
      void (await settle(ds, (tx) =>
        tx.deliveries.release(
          ds.map((d) => d.handle),
          worker,
        ),
      )),
    disable: (trigger, reason) =>
      commit.run((tx) => tx.kv.set(disabledKey(trigger), { reason, at: store.now() })),
  };

  return {
    inbox: { put: (trigger, events) => commit.run((tx) => putIn(tx, trigger, events, ordered(trigger))) },
    checkpoints: checkpointsIn(store),
    atomic: (fn) =>
      commit.run((tx) =>
        fn({
          inbox: { put: (trigger, events) => putIn(tx, trigger, events, ordered(trigger)) },
          checkpoints: checkpointsIn(tx),
        }),
      ),
    queue,
    firstSight: (key) => commit.run((tx) => sight(tx, key)),
    receive: (key, triggers, event) =>
      commit.run(async (tx) => {
        if (!(await sight(tx, key))) return { replay: true as const };
        const inserted: Record<string, string[]> = {};
        for (const t of triggers) inserted[t] = (await putIn(tx, t, [event], ordered(t))).inserted;
        return { replay: false as const, inserted };
      }),
    commit,
    async close() {
      clearInterval(renew);
      await commit.flush();
    },
  };
}
