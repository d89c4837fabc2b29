import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';

export function eventsSuite(get: () => { em: Emulator; stripe: Stripe }) {
  it('emits events for every change, filterable by type, types[] and created', async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_events' };
    const c = await stripe.customers.create({ name: 'Evented' }, acct);
    await stripe.customers.update(c.id, { name: 'Renamed' }, acct);
    await stripe.invoiceItems.create({ customer: c.id, amount: 100, currency: 'usd' }, acct);
    const updated = await stripe.events.list({ type: 'customer.updated' }, acct);
    expect(updated.data).toHaveLength(1);
    expect(updated.data[0].data.object).toMatchObject({ id: c.id, name: 'Renamed' });
    expect(updated.data[0].data.previous_attributes).toEqual({ name: 'Evented' });
    const wildcard = await stripe.events.list({ type: 'customer.*' }, acct);
    expect(wildcard.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    const types = await stripe.events.list({ types: ['invoiceitem.created', 'customer.created'] }, acct);
    expect(types.data).toHaveLength(2);
    const since = await stripe.events.list({ created: { gt: updated.data[0].created + 100 } }, acct);
    expect(since.data).toHaveLength(0);
    expect((await stripe.events.retrieve(updated.data[0].id, {}, acct)).type).toBe('customer.updated');
  });

  it('delivers signed webhooks that constructEvent accepts, retrying failures with backoff', async () => {
    const { stripe } = get();
    const received: Array<{ body: string; sig: string }> = [];
    let failFirst = 1;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failFirst-- > 0) {
          res.writeHead(500).end();
          return;
        }
        received.push({ body, sig: String(req.headers['stripe-signature']) });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const acct = { stripeAccount: 'acct_hooks' };
    const endpoint = await stripe.webhookEndpoints.create(
      { url, enabled_events: ['customer.created', 'payment_intent.succeeded'] },
      acct,
    );
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id, {}, acct)).secret).toBeUndefined();
    await stripe.customers.create({ name: 'Hooked' }, acct);
    await stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      acct,
    );
    await stripe.products.create({ name: 'not subscribed' }, acct);
    const deadline = Date.now() + 5000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    server.close();
    expect(received).toHaveLength(2);
    const types = received
      .map(({ body, sig }) => Stripe.webhooks.constructEvent(body, sig, endpoint.secret!).type)
      .sort();
    expect(types).toEqual(['customer.created', 'payment_intent.succeeded']);
    expect(() => Stripe.webhooks.constructEvent(received[0].body, received[0].sig, 'whsec_wrong')).toThrow();
    const disabled = await stripe.webhookEndpoints.update(endpoint.id, { disabled: true }, acct);
    expect(disabled.status).toBe('disabled');
  });
}
