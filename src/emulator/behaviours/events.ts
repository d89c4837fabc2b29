/** Events listing (type wildcards, types[], 30-day window) and webhook endpoints with their secrets. */
import type { Ctx, Engine } from '../engine.ts';
import { EVENT_RETENTION_S } from '../events.ts';
import { listMatcher, listPage } from '../generic.ts';
import type { Obj } from '../objects.ts';
import { connectKey, secretKey } from '../webhooks.ts';
import { invalid } from '../errors.ts';

/** Stripe's cap on webhook endpoints per account and mode. */
export const MAX_WEBHOOK_ENDPOINTS = 16;

function typeMatcher(pattern: string): (t: string) => boolean {
  if (!pattern.includes('*')) return (t) => t === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.]/g, '\\.'))
      .join('.*')}$`,
  );
  return (t) => re.test(t);
}

export function registerEvents(engine: Engine, opts: { webhookSecret?: string }): void {
  engine.on('event', 'list', (ctx: Ctx) => {
    const base = listMatcher(ctx, 'event', new Set(['type', 'types', 'delivery_success']));
    if (Array.isArray(ctx.params.types) && ctx.params.types.length > 20)
      throw invalid(
        `Invalid array: types can have at most 20 items, but you've sent ${ctx.params.types.length}.`,
        'parameter_invalid_array',
        'types',
      );
    const patterns = [
      ...(ctx.params.type ? [String(ctx.params.type)] : []),
      ...((ctx.params.types as string[] | undefined) ?? []),
    ].map(typeMatcher);
    const oldest = ctx.now - EVENT_RETENTION_S;
    return listPage(
      ctx,
      'event',
      (e: Obj) => e.created >= oldest && base(e) && (!patterns.length || patterns.some((m) => m(e.type))),
    );
  });

  engine.on('webhook_endpoint', 'create', (ctx) => {
    if (ctx.ns.collection('webhook_endpoint').size >= MAX_WEBHOOK_ENDPOINTS)
      throw invalid(
        `You have reached the maximum of ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints on this account. Delete an endpoint you no longer use, or contact Stripe support to raise the limit.`,
      );
    const secret = opts.webhookSecret ?? `whsec_${ctx.engine.ids.chars(32)}`;
    const endpoint = ctx.engine.create(
      ctx,
      'webhook_endpoint',
      { status: 'enabled', metadata: {}, api_version: null, application: null, description: null },
      { emit: false },
    );
    ctx.engine.shapes.apply(endpoint, 'webhook_endpoint', ctx.params, new Set(['connect']));
    ctx.ns.side.set(secretKey(endpoint.id), secret);
    if (ctx.params.connect === true) ctx.ns.side.set(connectKey(endpoint.id), true);
    // Stripe returns the secret only in the create response.
    return { ...endpoint, secret };
  });
  engine.on('webhook_endpoint', 'update', (ctx) => {
    const endpoint = ctx.engine.get(
      ctx,
      'webhook_endpoint',
      ctx.pathValues.webhook_endpoint,
      'webhook_endpoint',
    );
    // Stripe announces no event for a webhook endpoint's own changes.
    ctx.engine.shapes.apply(endpoint, 'webhook_endpoint', ctx.params, new Set(['disabled']));
    if (ctx.params.disabled !== undefined) endpoint.status = ctx.params.disabled ? 'disabled' : 'enabled';
    return endpoint;
  });
}
