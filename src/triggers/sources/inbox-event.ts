/**
 * A Stripe event (from a webhook or the Events API) as the inbox keeps it, and the one check every
 * source makes at the door: an event that lacks what delivery needs (its id, type, `created` as
 * epoch seconds, the object) is refused there, with the reason, never stored to stall its trigger.
 */
import type { InboxEvent } from '../ports.ts';
import type { Obj } from './forward.ts';

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

/** Why `event` cannot be delivered (each missing or malformed key named), or undefined when it can. */
export function eventFault(event: unknown): string | undefined {
  if (!isObject(event)) return 'the event is not a JSON object';
  const faults: string[] = [];
  if (!isText(event.id)) faults.push('id: missing (a non-empty string)');
  if (!isText(event.type)) faults.push('type: missing (a non-empty string)');
  if (event.created === undefined || event.created === null)
    faults.push('created: missing (an integer, epoch seconds)');
  else if (!Number.isSafeInteger(event.created) || event.created < 0)
    faults.push(`created: ${JSON.stringify(event.created)} is not an integer of epoch seconds`);
  if (!isObject(event.data?.object)) faults.push('data.object: missing (the object the event is about)');
  if (event.account !== undefined && event.account !== null && !isText(event.account))
    faults.push('account: not a connected account id');
  return faults.length ? faults.join('; ') : undefined;
}

/** Whether `event` can be delivered; if not, `onRefused` is told its id (if any) and why. */
export function deliverable(event: Obj, onRefused?: (id: string, reason: string) => void): boolean {
  const fault = eventFault(event);
  if (fault) onRefused?.(String(event?.id ?? '(no id)'), fault);
  return !fault;
}

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
