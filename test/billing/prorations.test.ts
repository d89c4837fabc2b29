/**
 * `billing change-plan` is prorated as Stripe does it: moving from pro-monthly to pro-yearly halfway
 * through the month credits the unused half and, the interval being new, starts the yearly cycle
 * now with an invoice charged at once (the emulator's prorations, src/emulator/behaviours/prorations.ts).
 */
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

describe('change of plan with proration', () => {
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
