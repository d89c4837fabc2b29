/** Which triggers an incoming event is for: its type, and whether it is a connected account's. */
import type { InboxEvent } from '../ports.ts';
import { matchesType } from './event-filter.ts';

export interface Routable {
  name: string;
  events?: readonly string[];
  /** Connect triggers take connected accounts' events (with `account`), the others the platform's. */
  connect?: boolean;
}

export function routeEvent(
  event: Pick<InboxEvent, 'type' | 'account'>,
  triggers: readonly Routable[],
): string[] {
  return triggers
    .filter((t) => Boolean(t.connect) === Boolean(event.account) && matchesType(event.type, t.events ?? []))
    .map((t) => t.name);
}
