/**
 * Whether an event's snapshot may replace a row. Rows carry the version that wrote them: an
 * event's (`created`, id), or (listing time, '') for a row read from a list. Events are ordered by
 * `created` (seconds): a newer one applies, an older one is dropped, the same one again is a no-op.
 * Two different events in the same second cannot be ordered (Stripe's ids are not sequential), and
 * a listing's time is our clock, not Stripe's: inside that window the object is re-fetched, which
 * answers with its current state.
 */
import type { Version } from './rows.ts';

/** How far our clock and Stripe's `created` may disagree, for listing snapshots (seconds). */
export const CLOCK_DOUBT_S = 5;

export type Decision = 'apply' | 'skip' | 'refetch';

export function decide(current: Version | undefined, event: Version): Decision {
  if (!current) return 'apply';
  if (current.id === event.id) return 'skip';
  const doubt = current.id === '' ? CLOCK_DOUBT_S : 0;
  if (event.created > current.created + doubt) return 'apply';
  if (event.created < current.created - doubt) return 'skip';
  return 'refetch';
}
