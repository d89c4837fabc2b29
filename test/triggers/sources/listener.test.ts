import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../../src/emulator/index.ts';
import { listenWebhooks, type WebhookListener } from '../../../src/triggers/sources/listener.ts';
import { routeEvent } from '../../../src/triggers/sources/route.ts';
import { useEmulator } from '../../entities/support/env.ts';
import { MemoryInbox } from '../support/memory.ts';

const env = useEmulator();
const inbox = new MemoryInbox();
const secrets: string[] = [];
const triggers = [
  { name: 'customers', events: ['customer.created'] },
  { name: 'everything-customer', events: ['customer.*'] },
];
let listener: WebhookListener;
let guarded: WebhookListener;
const sightings = new Set<string>();
let failing = false;
const woken: string[] = [];

beforeAll(async () => {
  listener = await listenWebhooks({
    secrets: () => secrets,
    inbox: {
      put: (t, e) => (failing ? Promise.reject(new Error('disk full')) : inbox.put(t, e)),
    },
    route: (e) => routeEvent(e, triggers),
    onStored: (trigger, ids) => woken.push(`${trigger}:${ids.join()}`),
  });
});
beforeAll(async () => {
  guarded = await listenWebhooks({
    secrets: () => ['whsec_guarded'],
    inbox,
    route: (e) => routeEvent(e, triggers),
    firstSight: async (key) => !sightings.has(key) && Boolean(sightings.add(key)),
  });
});
afterAll(() => Promise.all([listener.close(), guarded.close()]));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

const post = (body: string, signature?: string) =>
  fetch(listener.url, { method: 'POST', body, headers: signature ? { 'stripe-signature': signature } : {} });

describe('webhook listener', () => {
  it("stores the emulator's signed webhook for every trigger it is for, once, and refuses forgeries", async () => {
    const endpoint = await env.ctx.gateway.request({
      method: 'POST',
      path: '/v1/webhook_endpoints',
      params: { url: listener.url, enabled_events: ['customer.created'] },
    });
    secrets.push(endpoint.secret);
    const customer = await env.ctx.gateway.request({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'a@b.c' },
    });
    await until(() => inbox.ids('everything-customer').length === 1);
    const [stored] = inbox.events.get('customers') ?? [];
    expect(stored.data.object.id).toBe(customer.id);
    expect(stored.source).toBe('webhook');
    expect(inbox.ids('everything-customer')).toEqual([stored.id]);
    expect(woken.sort()).toEqual([`customers:${stored.id}`, `everything-customer:${stored.id}`]);

    // Replayed with a fresh valid signature: acknowledged, not stored twice.
    const body = JSON.stringify({
      id: stored.id,
      object: 'event',
      type: 'customer.created',
      created: stored.created,
      data: stored.data,
    });
    const replay = await post(body, webhookSignature(body, endpoint.secret));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ received: true, stored: 0 });
    expect(inbox.ids('customers')).toHaveLength(1);
    expect(woken).toHaveLength(2);

    const forged = JSON.stringify({ ...JSON.parse(body), id: 'evt_forged' });
    const tampered = await post(forged, webhookSignature(body, endpoint.secret));
    expect(tampered.status).toBe(400);
    expect(await tampered.json()).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { reason: 'mismatch' },
    });
    expect((await post(forged)).status).toBe(400);
    expect(inbox.ids('customers')).toHaveLength(1);
  });

  it('answers 500 (so Stripe retries) when the event cannot be stored', async () => {
    failing = true;
    const body = JSON.stringify({
      id: 'evt_x',
      object: 'event',
      type: 'customer.created',
      created: 1,
      data: { object: {} },
    });
    const res = await post(body, webhookSignature(body, secrets[0]));
    failing = false;
    expect(res.status).toBe(500);
    expect(inbox.ids('customers')).not.toContain('evt_x');
  });

  it('refuses a replay (the same signed request again) with 400, acknowledges a Stripe retry (signed anew)', async () => {
    const body = JSON.stringify({
      id: 'evt_replayed',
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'cus_r' } },
    });
    const now = Math.floor(Date.now() / 1000);
    const signed = webhookSignature(body, 'whsec_guarded', now - 5);
    const send = (signature: string) =>
      fetch(guarded.url, { method: 'POST', body, headers: { 'stripe-signature': signature } });
    const first = await send(signed);
    expect(await first.json()).toMatchObject({ received: true, stored: 2 }); // two triggers take it
    const replay = await send(signed);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'replay' } });
    // Stripe's retry of the same event carries a new timestamp: 2xx, and still stored once.
    const retry = await send(webhookSignature(body, 'whsec_guarded', now));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ received: true, stored: 0 });
    expect(inbox.ids('customers').filter((id) => id === 'evt_replayed')).toHaveLength(1);
  });

  it('refuses a signed event lacking what delivery needs with 400 and the reason, and stores nothing', async () => {
    const body = JSON.stringify({
      id: 'evt_no_object',
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      data: {},
    });
    const res = await fetch(guarded.url, {
      method: 'POST',
      body,
      headers: { 'stripe-signature': webhookSignature(body, 'whsec_guarded') },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message:
        'webhook refused: the event cannot be delivered: data.object: missing (the object the event is about)',
      details: { reason: 'not-an-event' },
    });
    expect(inbox.ids('customers')).not.toContain('evt_no_object');
  });
});
