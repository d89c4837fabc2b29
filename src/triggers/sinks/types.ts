/** What every sink takes and answers; the dispatcher decides what an answer means for the queue. */

/** The delivery as the sink's receiver sees it (the JSON body / NDJSON line / exec stdin). */
export interface SinkMessage {
  /** The stable delivery id: the same on every retry, for the receiver's dedup. */
  id: string;
  trigger: string;
  /** Stripe's event type (or `<resource>.added`). */
  type: string;
  /** The event's id (or the object's, for object pollers). */
  event_id: string;
  /** The event's `created`, ISO 8601. */
  timestamp: string;
  account?: string;
  /** The object, projected to the trigger's fields. */
  data: Record<string, unknown>;
}

export type SinkOutcome =
  /** Delivered. */
  | { kind: 'ack' }
  /** Try again later (429, 5xx, timeout, a failed command), not sooner than `retryAfterMs`. */
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  /** The receiver refused it (4xx): retried a few times, then a dead letter. */
  | { kind: 'reject'; error: string }
  /** The receiver is gone for good (410): the trigger is disabled. */
  | { kind: 'gone'; error: string };

/** What the dispatcher tells a sink about one send besides the message. */
export interface SendOptions {
  /**
   * This send's attempt within the delivery's current round: 1 when it was queued, or queued
   * again (a redelivery, a replay), and no attempt of this round can have reached the sink yet;
   * more when an earlier attempt may have (a retry, a redelivery after a crash). Unknown: assume more.
   */
  attempt?: number;
  signal?: AbortSignal;
}

export interface Sink {
  send(message: SinkMessage, options?: SendOptions): Promise<SinkOutcome>;
  close(): Promise<void>;
}
