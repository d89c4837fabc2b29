/**
 * What the trigger engine needs from durable storage, as narrow interfaces. The store (src/store)
 * implements them over its tables; tests use in-memory versions. Every method resolves only once
 * its effect is durable: a resolved `put` survives `kill -9`.
 */

/** One event as the inbox keeps it: a Stripe event, or an object an object poller found. */
export interface InboxEvent {
  /** Dedup key: the Stripe event id (`evt_…`), or the object id for object pollers. */
  id: string;
  /** Stripe's event type, or `<resource>.added` for object pollers. */
  type: string;
  /** Seconds since the epoch (the event's or object's `created`). */
  created: number;
  /** The connected account the event belongs to (Connect), if any. */
  account?: string;
  /** The Stripe event (or `{ object }` for object pollers) as received. */
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  /** `webhook`, `events` or `objects`: which source saw it first. */
  source: 'webhook' | 'events' | 'objects';
}

export interface Inbox {
  /**
   * Stores events for one trigger, skipping ids this trigger's inbox already holds (webhook
   * replays, poll overlap, reconciliation racing the webhook). Each inserted event becomes one
   * pending delivery for the trigger, ordered after every delivery already queued for it (a
   * per-trigger sequence number in insertion order; within one call, array order).
   * Returns the ids that were new. Ids must be remembered at least as long as Stripe keeps events
   * (30 days), else a late webhook or an overlap re-read would be delivered twice.
   */
  put(trigger: string, events: InboxEvent[]): Promise<{ inserted: string[] }>;
}

/** A source's position, opaque JSON to the store (each source defines its own shape). */
export interface Checkpoints {
  get<T>(trigger: string): Promise<T | undefined>;
  /** Replaces the trigger's checkpoint. Called after the `Inbox.put` of the events it covers. */
  set<T>(trigger: string, value: T): Promise<void>;
}

export interface Delivery {
  /** Stable across retries and restarts: `deliveryId(trigger, event.id)`. */
  id: string;
  /** The queue's own handle of this claim (the store's job id); opaque to the dispatcher. */
  handle: number;
  trigger: string;
  /** Position in the trigger's queue (from `Inbox.put`); ordered delivery follows it. */
  seq: number;
  event: InboxEvent;
  /** Attempts made before this one (0 for a new delivery). */
  attempts: number;
  /** Epoch ms of the first attempt, for the dead-letter age limit (undefined: this is the first). */
  firstAttemptAt?: number;
}

/**
 * The delivery queue, with claim semantics (the store's job queue: `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL), so several dispatchers, in one process or on several nodes, never send the same
 * delivery at once. A claim is held until it is acked, retried, dead-lettered or released; a
 * dispatcher that dies loses its claims when their lease runs out (or at once, when the queue can
 * tell its process is gone).
 */
export interface DeliveryQueue {
  /**
   * Claims up to `limit` of the trigger's due deliveries, oldest first. Ordered: the run at the
   * head of the queue — the oldest pending delivery and the due ones right behind it — and only
   * when nothing before it is claimed (a head waiting for its retry time holds the rest). The
   * dispatcher sends a run one after another, each only after the previous was acknowledged, and
   * releases what it does not send. A claim sees every ack made before it, even one whose promise
   * has not settled yet (the dispatcher claims the next run without waiting for the last acks).
   */
  claim(trigger: string, limit: number, opts: { ordered: boolean }): Promise<Delivery[]>;
  /**
   * The sink acknowledged: the delivery is done (counted as delivered). False when this claim was
   * lost (its lease ran out and another dispatcher took the delivery): the rest of a run is then
   * not ours to send either.
   */
  ack(delivery: Delivery, at: number): Promise<boolean>;
  /** Schedules another attempt: attempts made (this one included), the earliest next one, and why. */
  retry(
    delivery: Delivery,
    update: { attempts: number; firstAttemptAt: number; notBefore: number; error: string },
  ): Promise<void>;
  /** Moves the delivery to the dead letters, with the last error. */
  dead(delivery: Delivery, update: { attempts: number; error: string; at: number }): Promise<void>;
  /** Gives claims back unsent (stopping, a run cut short, the trigger disabled): due again at once, no attempt counted. */
  release(deliveries: Delivery[]): Promise<void>;
  /** The sink said it is gone (410): stop dispatching the trigger until a user re-enables it. */
  disable(trigger: string, reason: string): Promise<void>;
}

/**
 * Runs `fn` with the inbox and checkpoints bound to one atomic write, so a poller's checkpoint
 * moves in the same transaction as the events it covers (never ahead of them).
 */
export type Atomic = <T>(fn: (ports: { inbox: Inbox; checkpoints: Checkpoints }) => Promise<T>) => Promise<T>;
