/**
 * Deliveries: jobs in the `delivery` queue, grouped by trigger, keyed by (trigger, event id) so a
 * re-seen event never makes a second delivery. The job id is the stable delivery id; a dead letter
 * is a job with status `dead`, redelivered by putting it back to `queued`.
 */
import type { DeliveryRepo, JobQueue } from '../types.ts';

export const DELIVERY_QUEUE = 'delivery';

export function deliveryRepo(jobs: JobQueue): DeliveryRepo {
  return {
    async enqueue(input) {
      // Unambiguous whatever the names contain (PostgreSQL text cannot hold a NUL separator).
      const key = JSON.stringify([input.trigger, input.eventId]);
      const { job, inserted } = await jobs.enqueue({
        queue: DELIVERY_QUEUE,
        group: input.trigger,
        kind: 'delivery',
        key,
        payload: input.payload,
        ordered: input.ordered ?? true,
        maxAttempts: input.maxAttempts,
        backoffMs: input.backoffMs,
        backoffMaxMs: input.backoffMaxMs,
        expiresAt: input.expiresAt,
      });
      return { delivery: job, inserted };
    },
    claim: ({ triggers, ...opts }) => jobs.claim({ ...opts, queue: DELIVERY_QUEUE, groups: triggers }),
    claimRun: ({ trigger, ...opts }) => jobs.claimRun({ ...opts, queue: DELIVERY_QUEUE, group: trigger }),
    release: (ids, worker) => jobs.release(ids, worker),
    ack: (id, worker) => jobs.complete(id, worker),
    fail: (id, worker, opts) => jobs.fail(id, worker, opts),
    redeliver: (id) => jobs.retry(id, ['dead', 'discarded', 'succeeded']),
    list: (trigger, opts) => jobs.list({ ...opts, queue: DELIVERY_QUEUE, group: trigger }),
    deadLetters: (trigger, limit) =>
      jobs.list({ queue: DELIVERY_QUEUE, group: trigger, status: 'dead', limit }),
    counts: (trigger) => jobs.counts(DELIVERY_QUEUE, trigger),
    get: (id) => jobs.get(id),
    attempts: (id) => jobs.attempts(id),
  };
}
