/** Events: one per change, stored in the namespace's `event` collection and handed to webhooks. */
import type { Ctx, EventSink } from './engine.ts';
import type { Obj } from './objects.ts';

export const API_VERSION = '2023-08-16';
/** Stripe lists events for 30 days. */
export const EVENT_RETENTION_S = 30 * 24 * 3600;

export type Deliver = (ctx: Ctx, event: Obj) => number;

export class Events implements EventSink {
  constructor(private readonly deliver: Deliver) {}

  emit(ctx: Ctx, type: string, object: Obj, previous?: Obj): Obj | undefined {
    const data: Obj = { object };
    if (previous && Object.keys(previous).length) data.previous_attributes = previous;
    const event = ctx.engine.create(
      ctx,
      'event',
      {
        api_version: API_VERSION,
        data,
        type,
        pending_webhooks: 0,
        request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey ?? null },
        ...(ctx.account ? { account: ctx.account } : {}),
      },
      { emit: false },
    );
    event.pending_webhooks = this.deliver(ctx, event);
    return event;
  }
}
