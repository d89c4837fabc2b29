/** Stripe behaviours the connector's tests lean on: list filters and order, embedded lists, defaults. */
import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { start, stripeError } from '../support/harness.ts';
import { raw } from '../support/raw.ts';

export function fidelitySuite(get: () => { em: Emulator; stripe: Stripe }) {
  async function payingCustomer(stripe: Stripe, acct: Stripe.RequestOptions) {
    const c = await stripe.customers.create({ name: 'Fidelity', email: 'f@example.com' }, acct);
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: c.id }, acct);
    await stripe.customers.update(c.id, { invoice_settings: { default_payment_method: pm.id } }, acct);
    return c;
  }

  async function monthly(stripe: Stripe, acct: Stripe.RequestOptions, amount = 1000) {
    return stripe.prices.create(
      { currency: 'usd', unit_amount: amount, recurring: { interval: 'month' }, product_data: { name: 'F' } },
      acct,
    );
  }

  it('lists subscriptions as Stripe does: canceled hidden by default; all, ended, canceled; filters', async () => {
    const { em, stripe } = get();
    const acct = { stripeAccount: 'acct_subs' };
    const c = await payingCustomer(stripe, acct);
    const price = await monthly(stripe, acct);
    const active = await stripe.subscriptions.create({ customer: c.id, items: [{ price: price.id }] }, acct);
    const gone = await stripe.subscriptions.create({ customer: c.id, items: [{ price: price.id }] }, acct);
    await stripe.subscriptions.cancel(gone.id, {}, acct);
    em.load(
      'subscription',
      [
        { status: 'incomplete_expired', customer: c.id, created: 1_600_000_000 },
        { status: 'past_due', customer: 'cus_other', created: 1_600_000_100 },
      ],
      { account: 'acct_subs' },
    );
    const ids = async (params: Stripe.SubscriptionListParams) =>
      (await stripe.subscriptions.list({ limit: 100, ...params }, acct)).data.map((s) => s.status).sort();
    expect(await ids({})).toEqual(['active', 'incomplete_expired', 'past_due']);
    expect(await ids({ status: 'all' })).toEqual(['active', 'canceled', 'incomplete_expired', 'past_due']);
    expect(await ids({ status: 'ended' })).toEqual(['canceled', 'incomplete_expired']);
    expect(await ids({ status: 'canceled' })).toEqual(['canceled']);
    expect(await ids({ status: 'all', customer: c.id })).toHaveLength(3);
    expect(await ids({ status: 'all', created: { lt: 1_700_000_000 } })).toEqual([
      'incomplete_expired',
      'past_due',
    ]);
    expect(await ids({ status: 'all', price: price.id })).toEqual(['active', 'canceled']);
    expect(await ids({ status: 'all', collection_method: 'send_invoice' })).toEqual([]);
    // Slices on `created` (as the query engine pages) partition the list: nothing twice, nothing lost.
    const cut = active.created - 1;
    const before = await ids({ status: 'all', created: { lt: cut } });
    const after = await ids({ status: 'all', created: { gte: cut } });
    expect([...before, ...after].sort()).toEqual(await ids({ status: 'all' }));
    const nested: any = await stripe.rawRequest('GET', `/v1/customers/${c.id}/subscriptions`, {}, acct);
    expect(nested.data.map((s: any) => s.status)).toEqual(['active', 'incomplete_expired']);
    const bad = await stripeError(stripe.subscriptions.list({ starting_after: 'sub_nope' }, acct));
    expect([bad.statusCode, bad.param]).toEqual([404, 'starting_after']);
  });

  it('cuts embedded lists at 10 with has_more and total_count; the rest pages through the list url', async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_embedded' };
    const c = await payingCustomer(stripe, acct);
    const inv = await stripe.invoices.create({ customer: c.id }, acct);
    const items: string[] = [];
    for (let i = 0; i < 12; i++) {
      const ii = await stripe.invoiceItems.create(
        { customer: c.id, amount: 100 + i, currency: 'usd', invoice: inv.id },
        acct,
      );
      items.push(ii.id);
    }
    const got = await stripe.invoices.retrieve(inv.id, {}, acct);
    expect(got.lines.data).toHaveLength(10);
    expect(got.lines).toMatchObject({ has_more: true, total_count: 12, url: `/v1/invoices/${inv.id}/lines` });
    expect(got.total).toBe(items.reduce((s, _, i) => s + 100 + i, 0));
    const rest = await stripe.invoices.listLineItems(inv.id, { starting_after: got.lines.data[9].id }, acct);
    expect(rest.data.map((l: any) => l.invoice_item)).toEqual(items.slice(10));
    expect(rest.has_more).toBe(false);
    const all: string[] = [];
    for await (const line of stripe.invoices.listLineItems(inv.id, { limit: 5 }, acct)) all.push(line.id);
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
    const badCursor = await stripeError(
      stripe.invoices.listLineItems(inv.id, { starting_after: 'il_nope' }, acct),
    );
    expect(badCursor.statusCode).toBe(404);
    // The finalized and paid invoice still embeds 10; the event payloads do too.
    const paid = await stripe.invoices.pay(inv.id, {}, acct);
    expect([paid.status, paid.lines.data.length, paid.lines.has_more]).toEqual(['paid', 10, true]);

    const prices = await Promise.all(Array.from({ length: 12 }, (_, i) => monthly(stripe, acct, 100 + i)));
    const sub = await stripe.subscriptions.create(
      { customer: c.id, items: prices.map((p) => ({ price: p.id })) },
      acct,
    );
    expect(sub.items.data).toHaveLength(10);
    expect(sub.items).toMatchObject({ has_more: true, total_count: 12 });
    expect(sub.items.url).toBe(`/v1/subscription_items?subscription=${sub.id}`);
    const subItems = await stripe.subscriptionItems.list({ subscription: sub.id, limit: 100 }, acct);
    expect(subItems.data).toHaveLength(12);
    const subInvoice = await stripe.invoices.retrieve(sub.latest_invoice as string, {}, acct);
    expect([subInvoice.lines.data.length, (subInvoice.lines as any).total_count]).toEqual([10, 12]);

    const q = await stripe.quotes.create(
      { customer: c.id, line_items: prices.map((p) => ({ price: p.id })) },
      acct,
    );
    expect((q as any).line_items).toBeUndefined();
    const expanded = await stripe.quotes.retrieve(q.id, { expand: ['line_items'] }, acct);
    expect(expanded.line_items?.data).toHaveLength(10);
    expect(expanded.line_items).toMatchObject({
      has_more: true,
      total_count: 12,
      url: `/v1/quotes/${q.id}/line_items`,
    });
    const quoteLines = await stripe.quotes.listLineItems(q.id, { limit: 100 }, acct);
    expect(quoteLines.data).toHaveLength(12);
  });

  it('fills the nested defaults Stripe sends: card payment_method_options, billing, tax and settings', async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_defaults' };
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' }, acct);
    expect(pi.payment_method_options).toEqual({
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    });
    const any = await stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method_options: { card: { request_three_d_secure: 'any' } } },
      acct,
    );
    expect(any.payment_method_options?.card?.request_three_d_secure).toBe('any');
    expect(any.payment_method_options?.card?.installments).toBeNull();
    const si = await stripe.setupIntents.create({}, acct);
    expect(si.payment_method_options?.card).toEqual({
      mandate_options: null,
      network: null,
      request_three_d_secure: 'automatic',
    });
    const pm = await stripe.paymentMethods.retrieve('pm_card_visa', {}, acct);
    expect(pm.billing_details.address).toEqual({
      city: null,
      country: null,
      line1: null,
      line2: null,
      postal_code: null,
      state: null,
    });
    const c = await payingCustomer(stripe, acct);
    const price = await monthly(stripe, acct);
    const sub = await stripe.subscriptions.create(
      { customer: c.id, items: [{ price: price.id }], expand: ['latest_invoice'] },
      acct,
    );
    expect(sub.cancellation_details).toEqual({ comment: null, feedback: null, reason: null });
    expect(sub.default_tax_rates).toEqual([]);
    expect(sub.payment_settings).toEqual({
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    });
    expect(sub.trial_settings).toEqual({ end_behavior: { missing_payment_method: 'create_invoice' } });
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect(inv).toMatchObject({
      customer_tax_exempt: 'none',
      customer_tax_ids: [],
      discounts: [],
      total_discount_amounts: [],
      effective_at: inv.status_transitions.finalized_at,
    });
    expect(inv.lines.data[0]).toMatchObject({
      amount_excluding_tax: 1000,
      unit_amount_excluding_tax: '1000',
      discount_amounts: [],
      discounts: [],
      proration_details: { credited_items: null },
    });
    const paidPi = await stripe.paymentIntents.retrieve((inv as any).payment_intent, {}, acct);
    expect(paidPi.payment_method_options?.card?.request_three_d_secure).toBe('automatic');
    const charge = await stripe.charges.retrieve(paidPi.latest_charge as string, {}, acct);
    expect(charge.billing_details.address?.line1).toBeNull();
    const q = await stripe.quotes.create({ customer: c.id, line_items: [{ price: price.id }] }, acct);
    expect(q.invoice_settings).toEqual({ days_until_due: null });
  });

  it('lists bulk-loaded objects newest first by created, ties by insertion, with cheap cursors', async () => {
    const { em, stripe } = get();
    const acct = { stripeAccount: 'acct_order' };
    const base = 1_700_000_000;
    em.load(
      'customer',
      [
        { id: 'cus_b', created: base + 20 },
        { id: 'cus_a', created: base + 10 },
        { id: 'cus_c', created: base + 30 },
        { id: 'cus_tie1', created: base + 20 },
      ],
      { account: acct.stripeAccount },
    );
    em.load(
      'customer',
      [
        { id: 'cus_old', created: base },
        { id: 'cus_tie2', created: base + 20 },
      ],
      {
        account: acct.stripeAccount,
      },
    );
    const fresh = await stripe.customers.create({ name: 'now' }, acct);
    em.load('customer', [{ id: 'cus_future', created: fresh.created + 1000 }], {
      account: acct.stripeAccount,
    });
    const order = ['cus_future', fresh.id, 'cus_c', 'cus_tie2', 'cus_tie1', 'cus_b', 'cus_a', 'cus_old'];
    const list = await stripe.customers.list({ limit: 100 }, acct);
    expect(list.data.map((c) => c.id)).toEqual(order);
    const paged: string[] = [];
    for await (const c of stripe.customers.list({ limit: 3 }, acct)) paged.push(c.id);
    expect(paged).toEqual(order);
    const after = await stripe.customers.list({ limit: 2, starting_after: 'cus_tie2' }, acct);
    expect(after.data.map((c) => c.id)).toEqual(['cus_tie1', 'cus_b']);
    const before = await stripe.customers.list({ limit: 2, ending_before: 'cus_tie2' }, acct);
    expect(before.data.map((c) => c.id)).toEqual([fresh.id, 'cus_c']);
    // Deleting keeps the order; reloading an id moves it to its new `created`.
    await stripe.customers.del('cus_c', {}, acct);
    em.load('customer', [{ id: 'cus_old', created: base + 25 }], { account: acct.stripeAccount });
    const again = await stripe.customers.list({ limit: 100 }, acct);
    expect(again.data.map((c) => c.id)).toEqual([
      'cus_future',
      fresh.id,
      'cus_old',
      'cus_tie2',
      'cus_tie1',
      'cus_b',
      'cus_a',
    ]);
    const search = await stripe.customers.search({ query: `created>=${base}` }, acct);
    expect(search.data[0].id).toBe('cus_future');
  });

  it("matches search `~` anywhere in the value and needs at least 3 characters, like Stripe's", async () => {
    const { stripe } = get();
    const acct = { stripeAccount: 'acct_tilde' };
    await stripe.customers.create({ name: 'Amy', email: 'amy@rocketrides.io' }, acct);
    await stripe.customers.create({ name: 'Xamy', email: 'xamy@rocketrides.io' }, acct);
    expect((await stripe.customers.search({ query: "email~'amy'" }, acct)).data).toHaveLength(2);
    expect((await stripe.customers.search({ query: "email~'ROCKET'" }, acct)).data).toHaveLength(2);
    expect((await stripe.customers.search({ query: "email~'xam'" }, acct)).data).toHaveLength(1);
    const short = await stripeError(stripe.customers.search({ query: "email~'am'" }, acct));
    expect([short.statusCode, short.param]).toEqual([400, 'query']);
  });

  it("applies a customer's coupon as Stripe does: a discount with its coupon, customer, start and end", async () => {
    const { em, stripe } = get();
    const acct = { stripeAccount: 'acct_discounts' };
    const three = await stripe.coupons.create(
      { percent_off: 25, duration: 'repeating', duration_in_months: 3, name: 'Quarter off' },
      acct,
    );
    const before = Math.floor(Date.now() / 1000);
    // API 2023-08-16 takes `coupon` and `promotion_code` on customers; newer SDK types do not.
    const c = await stripe.customers.create({ email: 'd@example.com', coupon: three.id } as any, acct);
    const after = Math.floor(Date.now() / 1000);
    const discount = c.discount!;
    expect(discount).toMatchObject({
      object: 'discount',
      customer: c.id,
      coupon: { id: three.id, percent_off: 25, duration: 'repeating', duration_in_months: 3 },
      subscription: null,
      invoice: null,
      invoice_item: null,
      promotion_code: null,
      checkout_session: null,
    });
    expect(discount.id).toMatch(/^di_/);
    expect(discount.start).toBeGreaterThanOrEqual(before);
    expect(discount.start).toBeLessThanOrEqual(after);
    // Three calendar months on.
    const end = new Date(discount.start * 1000);
    end.setUTCMonth(end.getUTCMonth() + 3);
    expect(new Date(discount.end! * 1000).toISOString().slice(0, 10)).toBe(end.toISOString().slice(0, 10));
    expect((await stripe.customers.retrieve(c.id, {}, acct)) as Stripe.Customer).toMatchObject({
      discount: { id: discount.id },
    });
    expect((await stripe.coupons.retrieve(three.id, {}, acct)).times_redeemed).toBe(1);
    const created = await stripe.events.list({ type: 'customer.discount.created' }, acct);
    expect(created.data[0].data.object).toMatchObject({ id: discount.id, customer: c.id });

    // Replaced on update (a `once` coupon has no end), then removed with an empty coupon.
    const once = await stripe.coupons.create({ amount_off: 500, currency: 'usd', duration: 'once' }, acct);
    const replaced = await stripe.customers.update(c.id, { coupon: once.id } as any, acct);
    expect(replaced.discount).toMatchObject({ coupon: { id: once.id }, end: null, customer: c.id });
    const updated = await stripe.events.list({ type: 'customer.updated' }, acct);
    expect(updated.data[0].data.previous_attributes).toMatchObject({ discount: { id: discount.id } });
    expect((await stripe.events.list({ type: 'customer.discount.updated' }, acct)).data).toHaveLength(1);
    expect((await stripe.customers.update(c.id, { coupon: '' } as any, acct)).discount).toBeNull();
    expect((await stripe.events.list({ type: 'customer.discount.deleted' }, acct)).data).toHaveLength(1);

    // A promotion code stands for its coupon; the discount names both.
    const promo = await stripe.promotionCodes.create({ coupon: three.id, code: 'SPRING' } as any, acct);
    const promoted = await stripe.customers.update(c.id, { promotion_code: promo.id } as any, acct);
    expect(promoted.discount).toMatchObject({ coupon: { id: three.id }, promotion_code: promo.id });
    const removed: any = await stripe.customers.deleteDiscount(c.id, {}, acct);
    expect(removed).toMatchObject({ object: 'discount', deleted: true, id: promoted.discount!.id });
    expect(((await stripe.customers.retrieve(c.id, {}, acct)) as Stripe.Customer).discount).toBeNull();
    const none = await stripeError(stripe.customers.deleteDiscount(c.id, {}, acct));
    expect([none.statusCode, none.code]).toEqual([404, 'resource_missing']);

    const unknown = await stripeError(stripe.customers.create({ coupon: 'NOPE' } as any, acct));
    expect([unknown.statusCode, unknown.code, unknown.param, unknown.message]).toEqual([
      404,
      'resource_missing',
      'coupon',
      "No such coupon: 'NOPE'",
    ]);
    em.clearRequests();
  });

  it('answers HEAD like GET, without a body', async () => {
    const { em, stripe } = get();
    const c = await stripe.customers.create({ email: 'head@example.com' });
    const get200 = await raw(em.url, 'GET', `/v1/customers/${c.id}`);
    const head = await raw(em.url, 'HEAD', `/v1/customers/${c.id}`);
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-type']).toBe(get200.headers['content-type']);
    expect(head.headers['content-length']).toBe(get200.headers['content-length']);
    expect((await raw(em.url, 'HEAD', '/v1/customers')).status).toBe(200);
    expect((await raw(em.url, 'HEAD', '/v1/customers/cus_missing')).status).toBe(404);
  });

  it('keeps only the most recent maxRecordedRequests requests', async () => {
    const { em, stripe } = await start({ maxRecordedRequests: 5 });
    try {
      for (let i = 0; i < 8; i++) await stripe.customers.list({ limit: i + 1 });
      expect(em.requests).toHaveLength(5);
      expect(em.requests.map((r) => r.query.limit)).toEqual(['4', '5', '6', '7', '8']);
      em.clearRequests();
      expect(em.requests).toHaveLength(0);
    } finally {
      await em.close();
    }
    const off = await start({ maxRecordedRequests: 0 });
    try {
      await off.stripe.customers.list();
      expect(off.em.requests).toHaveLength(0);
    } finally {
      await off.em.close();
    }
  });
}
