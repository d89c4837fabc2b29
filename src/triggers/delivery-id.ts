/**
 * A delivery's id: the same for a trigger and an event on every retry, restart and replica, so a
 * sink can drop duplicates of at-least-once delivery by it (`webhook-id` of the HTTP sink).
 */
import { createHash } from 'node:crypto';

export function deliveryId(trigger: string, eventId: string): string {
  return `dlv_${createHash('sha256').update(`${trigger}\u0000${eventId}`).digest('base64url').slice(0, 24)}`;
}
