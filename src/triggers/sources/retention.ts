/**
 * Stripe keeps events for 30 days. A poller whose last complete poll is older than that has lost
 * whatever happened in between; one getting close is warned while there is still time.
 */

export const EVENT_RETENTION_S = 30 * 24 * 3600;
export const RETENTION_WARN_S = 3 * 24 * 3600;

export type RetentionNotice =
  | { kind: 'retention-near'; trigger: string; polledAt: number; secondsLeft: number }
  | { kind: 'events-lost'; trigger: string; from: number; to: number };

/** What to say about a checkpoint last polled at `polledAt` (seconds), now being `now`. */
export function retentionNotice(
  trigger: string,
  polledAt: number,
  now: number,
  warnBefore = RETENTION_WARN_S,
): RetentionNotice | undefined {
  const floor = now - EVENT_RETENTION_S;
  // Events created in [polledAt, floor) are past Stripe's window: nobody can read them any more.
  if (polledAt < floor) return { kind: 'events-lost', trigger, from: polledAt, to: floor };
  const secondsLeft = polledAt - floor;
  if (secondsLeft < warnBefore) return { kind: 'retention-near', trigger, polledAt, secondsLeft };
  return undefined;
}
