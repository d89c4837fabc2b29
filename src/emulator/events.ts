/** Events: one per change, stored in the namespace's `event` collection and handed to webhooks. */
import type { StripeCatalog } from '../catalog/index.ts';
import type { Ctx, EventSink } from './engine.ts';
import type { Obj } from './objects.ts';

export const API_VERSION = '2023-08-16';
/** Stripe lists events for 30 days. */
export const EVENT_RETENTION_S = 30 * 24 * 3600;

export type Deliver = (ctx: Ctx, event: Obj) => number;

/** The event types Stripe has: those a webhook endpoint can enable (the catalog's enum), less `*`. */
export function stripeEventTypes(catalog: StripeCatalog): Set<string> {
  const create = catalog.raw.resources.webhook_endpoint?.operations.find((o) => o.name === 'create');
  const spec = create?.params.find((p) => p.name === 'enabled_events');
  return new Set(((spec?.items?.values ?? []) as string[]).filter((t) => t !== '*'));
}

export class Events implements EventSink {
  constructor(
    private readonly deliver: Deliver,
    /** Only these are emitted: a change Stripe announces with no event (a webhook endpoint's) makes none. */
    readonly types: Set<string>,
  ) {}

  emit(ctx: Ctx, type: string, object: Obj, previous?: Obj): Obj | undefined {
    if (!this.types.has(type)) return undefined;
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
