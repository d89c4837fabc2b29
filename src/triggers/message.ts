/** A queued delivery as its sink receives it: the event's facts and the projected object. */
import type { Delivery } from './ports.ts';
import { project, type FieldMap } from './project.ts';
import type { SinkMessage } from './sinks/types.ts';

export function sinkMessage(delivery: Delivery, fields?: readonly FieldMap[]): SinkMessage {
  const { event } = delivery;
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
