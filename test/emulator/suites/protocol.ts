import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { client, stripeError } from '../support/harness.ts';

export function protocolSuite(get: () => { em: Emulator; stripe: Stripe }) {
  it('rejects missing and malformed keys with 401 in Stripe shape; accepts basic auth', async () => {
    const { em } = get();
    const none = await fetch(`${em.url}/v1/customers`);
    expect(none.status).toBe(401);
    const body = await none.json();
    expect(body.error.type).toBe('invalid_request_error');
    expect(none.headers.get('request-id')).toMatch(/^req_/);
    const bad = await stripeError(client(em, 'nonsense').customers.list());
    expect(bad.statusCode).toBe(401);
    expect(bad.type).toBe('StripeAuthenticationError');
    const basic = await fetch(`${em.url}/v1/customers`, {
      headers: { authorization: `Basic ${Buffer.from('sk_test_x:').toString('base64')}` },
    });
    expect(basic.status).toBe(200);
  });

  it('answers unknown routes with Stripe JSON 404, never HTML', async () => {
    const { em, stripe } = get();
    const res = await fetch(`${em.url}/v1/nothing/here`, { headers: { authorization: 'Bearer sk_test_x' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect((await res.json()).error.message).toMatch(/Unrecognized request URL/);
    const e = await stripeError(stripe.rawRequest('GET', '/v1/nothing', {}));
    expect(e.statusCode).toBe(404);
  });

  it('separates test, live and connected-account data', async () => {
    const { em, stripe } = get();
    const live = client(em, 'sk_live_abc');
    const c = await stripe.customers.create({ name: 'test-only' });
    expect(c.livemode).toBe(false);
    expect((await stripeError(live.customers.retrieve(c.id))).code).toBe('resource_missing');
    const lc = await live.customers.create({ name: 'live' });
    expect(lc.livemode).toBe(true);
    const acct = await stripe.customers.create({ name: 'connected' }, { stripeAccount: 'acct_123' });
    expect((await stripeError(stripe.customers.retrieve(acct.id))).statusCode).toBe(404);
    expect((await stripe.customers.retrieve(acct.id, {}, { stripeAccount: 'acct_123' })).id).toBe(acct.id);
    const rk = client(em, 'rk_test_restricted');
    expect((await rk.customers.retrieve(c.id)).id).toBe(c.id);
    const rec = em.requests.find((r) => r.account === 'acct_123');
    expect(rec?.livemode).toBe(false);
  });

  it('validates params against the catalog', async () => {
    const { stripe } = get();
    const unknown = await stripeError(stripe.customers.create({ nope: 'x' } as any));
    expect([unknown.statusCode, unknown.code, unknown.param]).toEqual([400, 'parameter_unknown', 'nope']);
    const nested = await stripeError(stripe.customers.create({ address: { planet: 'mars' } } as any));
    expect([nested.code, nested.param]).toEqual(['parameter_unknown', 'address[planet]']);
    const missing = await stripeError(stripe.paymentIntents.create({ currency: 'usd' } as any));
    expect([missing.code, missing.param]).toEqual(['parameter_missing', 'amount']);
    const int = await stripeError(stripe.paymentIntents.create({ amount: 'ten' as any, currency: 'usd' }));
    expect([int.code, int.param]).toEqual(['parameter_invalid_integer', 'amount']);
    const en = await stripeError(
      stripe.paymentIntents.create({ amount: 100, currency: 'usd', capture_method: 'sometimes' as any }),
    );
    expect(en.code).toMatch(/^parameter_invalid_/);
    const notFound = await stripeError(stripe.customers.retrieve('cus_missing'));
    expect([notFound.statusCode, notFound.code, notFound.param]).toEqual([404, 'resource_missing', 'id']);
    expect(notFound.raw.message).toBe("No such customer: 'cus_missing'");
    expect(notFound.headers['request-id']).toMatch(/^req_/);
  });

  it('parses bracket bodies, unsets with empty strings, deletes and answers retrieve as Stripe does', async () => {
    const { stripe } = get();
    const c = await stripe.customers.create({
      email: 'x@example.com',
      metadata: { plan: 'pro', keep: 'yes' },
      address: { city: 'Rome', country: 'IT' },
    });
    expect(c.metadata).toEqual({ plan: 'pro', keep: 'yes' });
    expect(c.address?.city).toBe('Rome');
    const u = await stripe.customers.update(c.id, { email: '', metadata: { plan: '' } });
    expect(u.email).toBeNull();
    expect(u.metadata).toEqual({ keep: 'yes' });
    const cleared = await stripe.customers.update(c.id, { metadata: '' as any });
    expect(cleared.metadata).toEqual({});
    const d = await stripe.customers.del(c.id);
    expect(d).toMatchObject({ id: c.id, object: 'customer', deleted: true });
    expect(await stripe.customers.retrieve(c.id)).toMatchObject({ id: c.id, deleted: true });
    const p = await stripe.products.create({ name: 'gone' });
    await stripe.products.del(p.id);
    expect((await stripeError(stripe.products.retrieve(p.id))).code).toBe('resource_missing');
  });

  it('lists newest first with limit, cursors, has_more, url and created filters', async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_list' };
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await stripe.products.create({ name: `p${i}` }, acct)).id);
    const first = await stripe.products.list({ limit: 10 }, acct);
    expect(first.data.map((p) => p.id)).toEqual(ids.slice(-10).reverse());
    expect(first.has_more).toBe(true);
    expect(first.url).toBe('/v1/products');
    const next = await stripe.products.list({ limit: 10, starting_after: first.data[9].id }, acct);
    expect(next.data[0].id).toBe(ids[14]);
    const back = await stripe.products.list({ limit: 5, ending_before: next.data[0].id }, acct);
    expect(back.data.map((p) => p.id)).toEqual(ids.slice(15, 20).reverse());
    const all: string[] = [];
    for await (const p of stripe.products.list({ limit: 7 }, acct)) all.push(p.id);
    expect(all).toHaveLength(25);
    expect((await stripe.products.list({}, acct)).data).toHaveLength(10);
    const tooMany = await stripeError(stripe.products.list({ limit: 101 }, acct));
    expect(tooMany.param).toBe('limit');
    const created = first.data[0].created;
    expect((await stripe.products.list({ created: { gt: created } }, acct)).data).toHaveLength(0);
    expect((await stripe.products.list({ created: { lte: created }, limit: 100 }, acct)).data).toHaveLength(
      25,
    );
    const active = await stripe.products.list({ active: false }, acct);
    expect(active.data).toHaveLength(0);
  });

  it('expands ids, nested and inside lists', async () => {
    const { stripe } = get();
    const c = await stripe.customers.create({ name: 'Expand me' });
    const pi = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      customer: c.id,
      payment_method: 'pm_card_visa',
      confirm: true,
      expand: ['customer', 'latest_charge.balance_transaction'],
    });
    expect((pi.customer as Stripe.Customer).name).toBe('Expand me');
    const charge = pi.latest_charge as Stripe.Charge;
    expect((charge.balance_transaction as Stripe.BalanceTransaction).object).toBe('balance_transaction');
    const list = await stripe.paymentIntents.list({ customer: c.id, expand: ['data.customer'] });
    expect((list.data[0].customer as Stripe.Customer).id).toBe(c.id);
  });

  it('searches with the query language and pages with next_page', async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_search' };
    for (let i = 0; i < 6; i++) {
      await stripe.customers.create(
        { name: `Searcher ${i}`, email: `s${i}@example.com`, metadata: { tier: i % 2 ? 'gold' : 'silver' } },
        acct,
      );
    }
    const gold = await stripe.customers.search({ query: "metadata['tier']:'gold'" }, acct);
    expect(gold.data).toHaveLength(3);
    const notGold = await stripe.customers.search(
      { query: "-metadata['tier']:'gold' AND name~'Search'" },
      acct,
    );
    expect(notGold.data).toHaveLength(3);
    const either = await stripe.customers.search(
      { query: "email:'s1@example.com' OR email:'s2@example.com'" },
      acct,
    );
    expect(either.data).toHaveLength(2);
    const page1 = await stripe.customers.search({ query: "name~'Searcher'", limit: 4 }, acct);
    expect(page1.has_more).toBe(true);
    const page2 = await stripe.customers.search(
      { query: "name~'Searcher'", limit: 4, page: page1.next_page! },
      acct,
    );
    expect(page2.data).toHaveLength(2);
    const p = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd' }, acct);
    await stripe.paymentIntents.create({ amount: 100, currency: 'usd' }, acct);
    const big = await stripe.paymentIntents.search(
      { query: `amount>1000 AND created>=${p.created - 1}` },
      acct,
    );
    expect(big.data.map((x) => x.id)).toEqual([p.id]);
    const bad = await stripeError(stripe.customers.search({ query: 'name:unquoted' }, acct));
    expect(bad.statusCode).toBe(400);
  });

  it('replays idempotent POSTs, rejects reuse with other params, and never creates twice concurrently', async () => {
    const { em, stripe } = get();
    const a = await stripe.customers.create({ name: 'Idem' }, { idempotencyKey: 'key-1' });
    const b = await stripe.customers.create({ name: 'Idem' }, { idempotencyKey: 'key-1' });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    const e = await stripeError(stripe.customers.create({ name: 'Other' }, { idempotencyKey: 'key-1' }));
    expect(e.type).toBe('StripeIdempotencyError');
    em.clearRequests();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        stripe.customers.create({ name: 'Race' }, { idempotencyKey: 'key-race' }),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const all = await stripe.customers.search({ query: "name:'Race'" });
    expect(all.data).toHaveLength(1);
    expect(em.requests.filter((r) => r.idempotencyKey === 'key-race')).toHaveLength(8);
    const declined = await stripeError(
      stripe.paymentIntents.create(
        { amount: 900, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true },
        { idempotencyKey: 'key-decline' },
      ),
    );
    const again = await stripeError(
      stripe.paymentIntents.create(
        { amount: 900, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true },
        { idempotencyKey: 'key-decline' },
      ),
    );
    expect(again.raw.payment_intent.id).toBe(declined.raw.payment_intent.id);
  });

  it('echoes Stripe-Version and sends Request-Id and Stripe-Should-Retry', async () => {
    const { em } = get();
    const res = await fetch(`${em.url}/v1/customers/cus_nope`, {
      headers: { authorization: 'Bearer sk_test_x', 'stripe-version': '2023-08-16' },
    });
    expect(res.headers.get('stripe-version')).toBe('2023-08-16');
    expect(res.headers.get('stripe-should-retry')).toBe('false');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
  });
}
