/** Loading events straight into the emulator, at chosen `created` seconds, for poller tests. */
import type { Emulator } from '../../../src/emulator/index.ts';

export interface LoadedEvent {
  id: string;
  type: string;
  created: number;
}

/** One event per entry, in the order given (the emulator keeps insertion order within a second). */
export function loadEvents(em: Emulator, specs: Array<{ type: string; created: number }>): LoadedEvent[] {
  const objects = specs.map((s) => ({
    type: s.type,
    created: s.created,
    api_version: '2023-08-16',
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    data: { object: { id: `cus_${Math.random().toString(36).slice(2, 12)}`, object: 'customer' } },
  }));
  em.load('event', objects);
  return objects as unknown as LoadedEvent[];
}
