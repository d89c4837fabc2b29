/** Subscriptions through the queue against the emulator: paid months on a test clock, a declined card, plan changes (prorated), cancels. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingService } from '../../src/billing/index.ts';
import { benchWithIntegration, type Bench } from './support.ts';

const EXAMPLE = new URL('../../examples/plans.yaml', import.meta.url).pathname;
const DAY = 86400;
let b: Bench;
let billing: BillingService;
beforeAll(async () => {
  ({ b, billing } = await benchWithIntegration());
  expect((await billing.apply({ catalog: 'sandbox', file: EXAMPLE })).ok).toBe(true);
});
afterAll(() => b?.close());

describe('subscriptions', () => {
  it('subscribes with pm_card_visa: customer, card, subscription; the first invoice is paid, and a month later the second', async () => {
    const now = Math.floor(Date.now() / 1000);
    const clock = await b.stripe.testHelpers.testClocks.create({ frozen_time: now });
    const out = await billing.subscribe({
      integration: 'my-billing',
      plan: 'pro-monthly',
      consumer: 'c-1',
      email: 'c1@example.com',
      card: 'pm_card_visa',
      testClock: clock.id,
    });
    expect(out.ok).toBe(true);
    expect(out.jobs.map((j) => [j.kind, j.status])).toEqual([
      ['customer.create', 'succeeded'],
      ['payment_method.attach', 'succeeded'],
      ['customer.default_payment_method', 'succeeded'],
      ['subscription.create', 'succeeded'],
    ]);
    expect(out.subscription).toMatchObject({
      status: 'active',
      invoice: { status: 'paid', amountPaid: 2900 },
    });
    const customer = (await b.stripe.customers.list({ email: 'c1@example.com' })).data[0];
    expect(customer.metadata).toEqual({ sc_consumer: 'c-1' });
    expect(customer.invoice_settings.default_payment_method).toMatch(/^pm_/);

    await b.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 31 * DAY });
    const seen = await billing.subscriptions('my-billing', 'c-1');
    expect(seen.subscriptions.map((s) => [s.plan, s.status])).toEqual([['pro-monthly', 'active']]);
    expect(seen.invoices.map((i) => [i.billingReason, i.status, i.amountPaid])).toEqual([
      ['subscription_cycle', 'paid', 2900],
      ['subscription_create', 'paid', 2900],
    ]);
    expect(seen.payments.filter((p) => p.paid)).toHaveLength(2);

    // The same request again is no second subscription.
    const again = await billing.subscribe({
      integration: 'my-billing',
      plan: 'pro-monthly',
      consumer: 'c-1',
      email: 'c1@example.com',
      card: 'pm_card_visa',
    });
    expect(again.jobs).toEqual([]);
    expect(again.existing).toBe(seen.subscriptions[0].id);
    expect((await b.stripe.customers.list({ email: 'c1@example.com' })).data).toHaveLength(1);
  });

  it('a declining card leaves the payment failed and visible: the job says why, the renewal makes it past_due', async () => {
    const out = await billing.subscribe({
      integration: 'my-billing',
      plan: 'pro-monthly',
      consumer: 'c-2',
      email: 'c2@example.com',
      card: 'pm_card_chargeDeclined',
    });
    const last = out.jobs.at(-1)!;
    expect(last.status).toBe('succeeded');
    expect(last.result).toMatchObject({ status: 'incomplete', invoice: { status: 'open', amountPaid: 0 } });
    expect(last.problem).toMatch(/declined/i);
    const seen = await billing.subscriptions('my-billing', 'c-2');
    expect(seen.payments.map((p) => [p.paid, p.failure !== null])).toEqual([[false, true]]);

    // Paid first, declined on renewal: past_due.
    const now = Math.floor(Date.now() / 1000);
    const clock = await b.stripe.testHelpers.testClocks.create({ frozen_time: now });
    await billing.subscribe({
      integration: 'my-billing',
      plan: 'pro-monthly',
      consumer: 'c-3',
      email: 'c3@example.com',
      card: 'pm_card_visa',
      testClock: clock.id,
    });
    const customer = (await billing.subscriptions('my-billing', 'c-3')).customer!;
    const bad = await b.stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer });
    await b.stripe.customers.update(customer, { invoice_settings: { default_payment_method: bad.id } });
    const [sub] = (await b.stripe.subscriptions.list({ customer })).data;
    await b.stripe.subscriptions.update(sub.id, { default_payment_method: bad.id });
    await b.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: now + 31 * DAY });
    const after = await billing.subscriptions('my-billing', 'c-3');
    expect(after.subscriptions[0].status).toBe('past_due');
    expect(after.invoices[0]).toMatchObject({
      billingReason: 'subscription_cycle',
      status: 'open',
      amountPaid: 0,
    });
  });

  it('changes plan and cancels at period end or now', async () => {
    await billing.subscribe({
      integration: 'my-billing',
      plan: 'pro-monthly',
      consumer: 'c-4',
      email: 'c4@example.com',
      card: 'pm_card_visa',
    });
    const moved = await billing.changePlan({ integration: 'my-billing', consumer: 'c-4', to: 'pro-yearly' });
    expect(moved.ok).toBe(true);
    const yearly = (await b.stripe.prices.list({ lookup_keys: ['pro-yearly'] })).data[0];
    let [sub] = (
      await b.stripe.subscriptions.list({
        customer: (await billing.subscriptions('my-billing', 'c-4')).customer!,
      })
    ).data;
    expect([sub.items.data[0].price.id, sub.metadata.sc_plan]).toEqual([yearly.id, 'pro-yearly']);

    expect((await billing.unsubscribe({ integration: 'my-billing', consumer: 'c-4' })).ok).toBe(true);
    sub = await b.stripe.subscriptions.retrieve(sub.id);
    expect([sub.status, sub.cancel_at_period_end]).toEqual(['active', true]);
    expect((await billing.unsubscribe({ integration: 'my-billing', consumer: 'c-4', now: true })).ok).toBe(
      true,
    );
    expect((await b.stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
    // A new subscription after the cancel is a new one, not the old one replayed.
    const re = await billing.subscribe({
      integration: 'my-billing',
      plan: 'pro-monthly',
      consumer: 'c-4',
      card: 'pm_card_visa',
    });
    expect((re.subscription as { subscription: string }).subscription).not.toBe(sub.id);
    expect((re.subscription as { status: string }).status).toBe('active');
  });

  it('refuses an unknown plan before enqueuing anything', async () => {
    const before = (await billing.jobs()).length;
    await expect(
      billing.subscribe({ integration: 'my-billing', plan: 'gold', consumer: 'c-9', card: 'pm_card_visa' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/plan gold has no active price in Stripe/),
    });
    expect((await billing.jobs()).length).toBe(before);
  });

  // Prorated as Stripe does it (the emulator's behaviours/prorations.ts): a new interval starts the
  // yearly cycle now, its invoice charged at once with the unused half month credited.
  it('monthly → yearly mid-month: the unused half is credited on the yearly invoice, paid at once', async () => {
    const now = Math.floor(Date.now() / 1000);
    const clock = await b.stripe.testHelpers.testClocks.create({ frozen_time: now });
    const input = { integration: 'my-billing', consumer: 'c-pr', email: 'pr@example.com' };
    expect(
      (await billing.subscribe({ ...input, plan: 'pro-monthly', card: 'pm_card_visa', testClock: clock.id }))
        .ok,
    ).toBe(true);
    const [before] = (await billing.subscriptions('my-billing', 'c-pr')).subscriptions;
    const sub: any = await b.stripe.subscriptions.retrieve(before.id);
    const at = sub.current_period_start + 15 * DAY;
    await b.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at });
    const share = (sub.current_period_end - at) / (sub.current_period_end - sub.current_period_start);

    expect((await billing.changePlan({ ...input, to: 'pro-yearly' })).ok).toBe(true);
    const after = await billing.subscriptions('my-billing', 'c-pr');
    expect(after.subscriptions[0]).toMatchObject({
      plan: 'pro-yearly',
      status: 'active',
      currentPeriodEnd: at + 365 * DAY,
    });
    const due = 29000 - Math.round(2900 * share);
    expect(after.invoices[0]).toMatchObject({
      billingReason: 'subscription_update',
      status: 'paid',
      amountDue: due,
      amountPaid: due,
    });
    const lines = (await b.stripe.invoices.retrieve(after.invoices[0].id)).lines.data;
    expect(lines.map((l) => [(l as any).proration, l.amount]).sort()).toEqual(
      [
        [false, 29000],
        [true, -Math.round(2900 * share)],
      ].sort(),
    );
    expect(after.payments.filter((p) => p.paid)).toHaveLength(2);
  });
});
