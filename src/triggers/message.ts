/** A queued delivery as its sink receives it: the event's facts and the projected object. */
import type { Delivery } from './ports.ts';
import { project, type FieldMap } from './project.ts';
import type { SinkMessage } from './sinks/types.ts';
import { eventFault } from './sources/inbox-event.ts';

/** The message; throws, naming what is missing, for an event no attempt could ever send. */
export function sinkMessage(delivery: Delivery, fields?: readonly FieldMap[]): SinkMessage {
  const { event } = delivery;
  // The sources refuse such events; this catches one stored before they did (or written by hand).
  const fault = eventFault(event);
  if (fault) throw new Error(fault);
  return {
    id: delivery.id,
    trigger: delivery.trigger,
    type: event.type,
    event_id: event.id,
    timestamp: new Date(event.created * 1000).toISOString(),
    ...(event.account ? { account: event.account } : {}),
    data: project(event.data.object, fields),
  };
}
