/**
 * The incremental part: the trigger engine's Events-API poller (overlap re-read, dedup, retention
 * notices, a checkpoint after every batch) feeding the mirror instead of an inbox. Its checkpoint
 * lives in the target's state table, seeded at the sync's start (less the clock doubt), so every
 * change after the backfill began is seen. A batch applied twice (a crash between the rows and the
 * checkpoint) is harmless: each row remembers the event that wrote it.
 */
import type { Gateway } from '../gateway/types.ts';
import { pollEvents, type EventsCheckpoint } from '../triggers/sources/events.ts';
import type { RetentionNotice } from '../triggers/sources/retention.ts';
import { applyEvents, type ApplyContext, type ApplyResult, type StripeEvent } from './apply.ts';
import { CLOCK_DOUBT_S } from './decide.ts';
import { getState, setState, type StateKey } from './state.ts';

export interface IncrementalInput extends ApplyContext {
  /** The unscoped gateway (the poller sets Stripe-Account itself). */
  rootGateway: Gateway;
  /** Seconds: when the backfill started. */
  startedAt: number;
  overlapSeconds?: number;
  onNotice?: (notice: RetentionNotice) => void;
}

export interface PollSummary extends ApplyResult {
  listed: number;
  /** `created` of the newest event seen. */
  checkpoint: number;
}

const eventsKey = (sync: string, account: string): StateKey => ({
  sync,
  account,
  entity: '*',
  slice: 'events',
});

/** Seeds the events checkpoint at the backfill's start, once. */
export async function seedEvents(input: Pick<IncrementalInput, 'target' | 'sync' | 'account' | 'startedAt'>) {
  const key = eventsKey(input.sync, input.account);
  if (await getState(input.target.db, key)) return;
  const start = input.startedAt - CLOCK_DOUBT_S;
  const cp: EventsCheckpoint = { created: start, ids: [], anchors: {}, polledAt: start, start, startIds: [] };
  await setState(input.target.db, key, { state: cp });
}

/** One poll: every event since the checkpoint, applied in order. */
export async function pollOnce(input: IncrementalInput): Promise<PollSummary> {
  await seedEvents(input);
  const key = eventsKey(input.sync, input.account);
  const total: ApplyResult = { applied: 0, skipped: 0, refetched: 0, tombstones: 0 };
  const result = await pollEvents({
    gateway: input.rootGateway,
    trigger: key.account || 'platform',
    types: ['*'],
    ...(input.account ? { stripeAccount: input.account } : {}),
    overlapSeconds: input.overlapSeconds,
    // No signal: a stop lets the poll in flight finish (its events applied, its checkpoint kept).
    onNotice: input.onNotice,
    checkpoints: {
      get: async <T>() => (await getState<T>(input.target.db, key))?.state ?? undefined,
      set: async (_trigger, value) => setState(input.target.db, key, { state: value }),
    },
    inbox: {
      put: async (_trigger, events) => {
        const r = await applyEvents(
          input,
          events.map((e) => ({ ...e, data: e.data }) as StripeEvent),
        );
        for (const k of Object.keys(total) as Array<keyof ApplyResult>) total[k] += r[k];
        return { inserted: events.map((e) => e.id) };
      },
    },
  });
  return { ...total, listed: result.listed, checkpoint: result.checkpoint.created };
}
