import { describe, expect, it } from 'vitest';
import { ensureEndpoint, listEndpoints, MARKER, type EndpointSpec } from '../../src/triggers/endpoint.ts';
import { rejection, useEmulator } from '../entities/support/env.ts';

const env = useEmulator();
let n = 0;
const spec = (extra: Partial<EndpointSpec> = {}): EndpointSpec => ({
  installId: `inst-${++n}`,
  url: 'https://hooks.example.test/stripe',
  events: ['customer.created', 'charge.succeeded'],
  apiVersion: env.ctx.catalog.apiVersion,
  ...extra,
});
const ours = async (installId: string) =>
  (await listEndpoints(env.ctx.gateway)).filter((e) => e.metadata?.[MARKER] === installId);
const post = (params: Record<string, unknown>) =>
  env.ctx.gateway.request({ method: 'POST', path: '/v1/webhook_endpoints', params });

describe('webhook endpoint lifecycle', () => {
  it('creates one endpoint marked as ours with exactly the events and the pinned version, then reuses it', async () => {
    const s = spec();
    const first = await ensureEndpoint(env.ctx.gateway, s);
    expect(first.action).toBe('created');
    expect(first.secret).toMatch(/^whsec_/);
    expect(first.endpoint).toMatchObject({
      enabled_events: ['charge.succeeded', 'customer.created'],
      api_version: '2023-08-16',
      metadata: { [MARKER]: s.installId },
    });
    const again = await ensureEndpoint(env.ctx.gateway, s);
    expect(again).toMatchObject({ action: 'reused', endpoint: { id: first.endpoint?.id }, removed: [] });
    expect(again.secret).toBeUndefined();
    expect(await ours(s.installId)).toHaveLength(1);
  });

  it('updates events and re-enables in place as triggers change; deletes it when the last goes', async () => {
    const s = spec();
    const { endpoint } = await ensureEndpoint(env.ctx.gateway, s);
    await env.ctx.gateway.request({
      method: 'POST',
      path: `/v1/webhook_endpoints/${endpoint?.id}`,
      params: { disabled: true },
    });
    const changed = await ensureEndpoint(env.ctx.gateway, { ...s, events: ['invoiceitem.created'] });
    expect(changed).toMatchObject({
      action: 'updated',
      endpoint: { id: endpoint?.id, enabled_events: ['invoiceitem.created'], status: 'enabled' },
    });
    expect(await ensureEndpoint(env.ctx.gateway, { ...s, events: [] })).toEqual({
      action: 'deleted',
      removed: [endpoint?.id],
    });
    expect(await ours(s.installId)).toHaveLength(0);
    // Recreated within the idempotency key's 24 h with the same facts: a new endpoint, not the replay.
    const back = await ensureEndpoint(env.ctx.gateway, s);
    expect(back.action).toBe('created');
    expect(back.endpoint?.id).not.toBe(endpoint?.id);
    expect((await ours(s.installId)).map((e) => e.id)).toEqual([back.endpoint?.id]);
  });

  it('three processes starting at once make one endpoint and all learn its secret', async () => {
    const s = spec();
    const results = await Promise.all([1, 2, 3].map(() => ensureEndpoint(env.ctx.gateway, s)));
    expect(await ours(s.installId)).toHaveLength(1);
    expect(new Set(results.map((r) => r.endpoint?.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.secret)).size).toBe(1);
    expect(results[0].secret).toMatch(/^whsec_/);
  });

  it('different event sets at once still converge on one endpoint (the oldest), the rest removed', async () => {
    const s = spec();
    await Promise.all(
      [['payout.paid'], ['coupon.created'], ['plan.created']].map((events) =>
        ensureEndpoint(env.ctx.gateway, { ...s, events }),
      ),
    );
    expect(await ours(s.installId)).toHaveLength(1);
    const settled = await ensureEndpoint(env.ctx.gateway, s);
    expect(settled.endpoint?.enabled_events).toEqual(['charge.succeeded', 'customer.created']);
  });

  it('removes orphans of ours, leaves other installs alone, replaces an endpoint on another api_version', async () => {
    const s = spec();
    const other = await post({ url: s.url, enabled_events: ['*'], metadata: { [MARKER]: 'someone-else' } });
    const old = await post({
      url: s.url,
      enabled_events: ['*'],
      api_version: '2020-08-27',
      metadata: { [MARKER]: s.installId },
    });
    const result = await ensureEndpoint(env.ctx.gateway, s);
    expect(result.action).toBe('created');
    expect(result.removed).toEqual([old.id]);
    expect((await ours(s.installId)).map((e) => e.id)).toEqual([result.endpoint?.id]);
    expect((await listEndpoints(env.ctx.gateway)).some((e) => e.id === other.id)).toBe(true);
    const orphan = await post({
      url: s.url,
      enabled_events: ['*'],
      api_version: s.apiVersion,
      metadata: { [MARKER]: s.installId },
    });
    expect(await ensureEndpoint(env.ctx.gateway, s)).toMatchObject({
      action: 'reused',
      endpoint: { id: result.endpoint?.id },
      removed: [orphan.id],
    });
  });

  it("refuses to create past Stripe's 16 endpoints, saying what to do", async () => {
    const existing = (await listEndpoints(env.ctx.gateway)).length;
    for (let i = existing; i < 16; i++) await post({ url: `https://x.test/${i}`, enabled_events: ['*'] });
    const error = await rejection(ensureEndpoint(env.ctx.gateway, spec()));
    expect(error.message).toMatch(/already has 16 webhook endpoints, Stripe's maximum is 16.*poll/);
    expect(error.details).toEqual({ endpoints: 16, max: 16 });
  });
});
