import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { stripeError } from '../support/harness.ts';

export function billingSuite(get: () => { em: Emulator; stripe: Stripe }) {
  async function customerWithCard(stripe: Stripe, name = 'Billing') {
    const c = await stripe.customers.create({ name, email: `${name.toLowerCase()}@example.com` });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: c.id });
    await stripe.customers.update(c.id, { invoice_settings: { default_payment_method: pm.id } });
    return { c, pm };
  }

  it('keeps customer balance and default payment method', async () => {
    const { stripe } = get();
    const { c, pm } = await customerWithCard(stripe, 'Balance');
    const txn = await stripe.customers.createBalanceTransaction(c.id, { amount: -500, currency: 'usd' });
    expect(txn.ending_balance).toBe(-500);
    const after = (await stripe.customers.retrieve(c.id)) as Stripe.Customer;
    expect(after.balance).toBe(-500);
    expect(after.invoice_settings.default_payment_method).toBe(pm.id);
    expect((await stripe.customers.listBalanceTransactions(c.id)).data).toHaveLength(1);
  });

  it('creates products with default prices, prices, coupons', async () => {
    const { stripe } = get();
    const product = await stripe.products.create({
      name: 'Widget',
      default_price_data: { currency: 'usd', unit_amount: 1200 },
    });
    expect(product.active).toBe(true);
    const price = await stripe.prices.retrieve(product.default_price as string);
    expect(price).toMatchObject({ unit_amount: 1200, type: 'one_time', product: product.id });
    const monthly = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 500,
      recurring: { interval: 'month' },
    });
    expect(monthly.recurring?.interval).toBe('month');
    const updated = await stripe.products.update(product.id, {
      name: 'Widget 2',
      images: ['https://example.com/a.png'],
    });
    expect(updated.images).toEqual(['https://example.com/a.png']);
    const coupon = await stripe.coupons.create({ percent_off: 25, duration: 'once' });
    expect(coupon.valid).toBe(true);
    const named = await stripe.coupons.create({
      id: 'SAVE5',
      amount_off: 500,
      currency: 'usd',
      duration: 'forever',
    });
    expect(named.id).toBe('SAVE5');
    expect((await stripe.coupons.del('SAVE5')).deleted).toBe(true);
    expect((await stripe.prices.search({ query: `product:'${product.id}'` })).data).toHaveLength(2);
  });

  it('runs an invoice from pending items through finalize and pay; void and uncollectible', async () => {
    const { stripe } = get();
    const { c } = await customerWithCard(stripe, 'Invoiced');
    const ii = await stripe.invoiceItems.create({
      customer: c.id,
      amount: 2500,
      currency: 'usd',
      description: 'Setup',
    });
    expect(ii.invoice).toBeNull();
    await stripe.invoiceItems.create({ customer: c.id, amount: 500, currency: 'usd' });
    const inv = await stripe.invoices.create({ customer: c.id, pending_invoice_items_behavior: 'include' });
    expect(inv).toMatchObject({ status: 'draft', number: null, total: 3000, amount_due: 3000 });
    expect(inv.lines.data).toHaveLength(2);
    expect((await stripe.invoiceItems.retrieve(ii.id)).invoice).toBe(inv.id);
    const fin = await stripe.invoices.finalizeInvoice(inv.id);
    expect(fin.status).toBe('open');
    expect(fin.number).toMatch(/-0001$/);
    const paid = await stripe.invoices.pay(inv.id);
    expect(paid).toMatchObject({ status: 'paid', paid: true, amount_paid: 3000, amount_remaining: 0 });
    expect(((await stripe.charges.retrieve((paid as any).charge)) as any).invoice).toBe(inv.id);
    expect((await stripe.invoices.listLineItems(inv.id, { limit: 1 })).has_more).toBe(true);
    const other = await stripe.invoices.create({
      customer: c.id,
      collection_method: 'send_invoice',
      days_until_due: 7,
    });
    await stripe.invoiceItems.create({ customer: c.id, amount: 100, currency: 'usd', invoice: other.id });
    await stripe.invoices.finalizeInvoice(other.id);
    expect((await stripe.invoices.sendInvoice(other.id)).status).toBe('open');
    expect((await stripe.invoices.markUncollectible(other.id)).status).toBe('uncollectible');
    expect((await stripe.invoices.voidInvoice(other.id)).status).toBe('void');
    expect((await stripeError(stripe.invoices.finalizeInvoice(other.id))).statusCode).toBe(400);
    const draft = await stripe.invoices.create({ customer: c.id });
    expect((await stripe.invoices.del(draft.id)).deleted).toBe(true);
    expect((await stripe.invoices.list({ customer: c.id, status: 'paid' })).data.map((i) => i.id)).toEqual([
      inv.id,
    ]);
    await stripe.invoiceItems.create({ customer: c.id, amount: 900, currency: 'usd' });
    expect(((await stripe.rawRequest('GET', `/v1/invoices/upcoming?customer=${c.id}`)) as any).total).toBe(
      900,
    );
  });

  it('runs a quote: draft → finalize → accept creates the invoice; cancel', async () => {
    const { stripe } = get();
    const { c } = await customerWithCard(stripe, 'Quoted');
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 10000,
      product_data: { name: 'Consulting' },
    });
    const q = await stripe.quotes.create({ customer: c.id, line_items: [{ price: price.id, quantity: 2 }] });
    expect(q).toMatchObject({ status: 'draft', amount_total: 20000 });
    expect((await stripe.quotes.listLineItems(q.id)).data[0].quantity).toBe(2);
    expect((await stripeError(stripe.quotes.accept(q.id))).statusCode).toBe(400);
    const open = await stripe.quotes.finalizeQuote(q.id);
    expect(open.status).toBe('open');
    expect(open.number).toMatch(/^QT-/);
    const accepted = await stripe.quotes.accept(q.id);
    expect(accepted.status).toBe('accepted');
    const inv = await stripe.invoices.retrieve(accepted.invoice as string);
    expect(inv.total).toBe(20000);
    const other = await stripe.quotes.create({ customer: c.id, line_items: [{ price: price.id }] });
    expect((await stripe.quotes.cancel(other.id)).status).toBe('canceled');
  });

  it('creates subscriptions from prices with a paid first invoice; cancels; lists', async () => {
    const { stripe } = get();
    const { c } = await customerWithCard(stripe, 'Subscriber');
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 2900,
      recurring: { interval: 'month' },
      product_data: { name: 'Pro' },
    });
    const sub = await stripe.subscriptions.create({
      customer: c.id,
      items: [{ price: price.id, quantity: 2 }],
      expand: ['latest_invoice'],
    });
    expect(sub.status).toBe('active');
    expect(sub.items.data[0].price.id).toBe(price.id);
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect(inv).toMatchObject({
      status: 'paid',
      amount_paid: 5800,
      subscription: sub.id,
      billing_reason: 'subscription_create',
    });
    const trial = await stripe.subscriptions.create({
      customer: c.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
    });
    expect(trial.status).toBe('trialing');
    const upd = await stripe.subscriptions.update(sub.id, {
      metadata: { seats: '2' },
      cancel_at_period_end: true,
    });
    expect(upd.cancel_at_period_end).toBe(true);
    const canceled = await stripe.subscriptions.cancel(sub.id);
    expect(canceled.status).toBe('canceled');
    expect((await stripe.subscriptions.list({ customer: c.id })).data.map((s) => s.id)).toEqual([trial.id]);
    expect((await stripe.subscriptions.list({ customer: c.id, status: 'all' })).data).toHaveLength(2);
    const bare = await stripe.customers.create({ name: 'No card' });
    const incomplete = await stripe.subscriptions.create({ customer: bare.id, items: [{ price: price.id }] });
    expect(incomplete.status).toBe('incomplete');
    expect(
      (await stripe.subscriptions.search({ query: `status:'incomplete'` })).data.map((s) => s.id),
    ).toContain(incomplete.id);
  });
}
