/** A Stripe event (from a webhook or the Events API) as the inbox keeps it. */
import type { InboxEvent } from '../ports.ts';
import type { Obj } from './forward.ts';

export function fromStripeEvent(event: Obj, source: 'webhook' | 'events'): InboxEvent {
  return {
    id: event.id,
    type: event.type,
    created: event.created,
    ...(event.account ? { account: event.account } : {}),
    data: event.data,
    source,
  };
}
