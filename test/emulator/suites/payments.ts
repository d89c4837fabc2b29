import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { stripeError } from '../support/harness.ts';

export function paymentsSuite(get: () => { em: Emulator; stripe: Stripe }) {
  it('resolves test payment methods and tokens; attach/detach; a detached method is spent', async () => {
    const { stripe } = get();
    const visa = await stripe.paymentMethods.retrieve('pm_card_visa');
    expect(visa.card).toMatchObject({ brand: 'visa', last4: '4242' });
    expect((await stripe.paymentMethods.retrieve('pm_card_mastercard')).card?.brand).toBe('mastercard');
    const fromToken = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    expect(fromToken.card?.last4).toBe('4242');
    const c = await stripe.customers.create({ name: 'Wallet' });
    const attached = await stripe.paymentMethods.attach(visa.id, { customer: c.id });
    expect(attached.customer).toBe(c.id);
    expect((await stripe.customers.listPaymentMethods(c.id)).data.map((p) => p.id)).toEqual([visa.id]);
    expect((await stripe.paymentMethods.list({ customer: c.id, type: 'card' })).data).toHaveLength(1);
    const detached = await stripe.paymentMethods.detach(visa.id);
    expect(detached.customer).toBeNull();
    const again = await stripeError(stripe.paymentMethods.attach(visa.id, { customer: c.id }));
    expect([again.statusCode, again.code]).toEqual([400, 'payment_method_unexpected_state']);
    const use = await stripeError(
      stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: visa.id, confirm: true }),
    );
    expect(use.code).toBe('payment_method_unexpected_state');
  });

  it('runs a PaymentIntent through confirmation to success with a charge and balance transaction', async () => {
    const { stripe } = get();
    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd' });
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    const withPm = await stripe.paymentIntents.update(pi.id, { payment_method: 'pm_card_visa' });
    expect(withPm.status).toBe('requires_confirmation');
    const done = await stripe.paymentIntents.confirm(pi.id, { return_url: 'https://example.com/back' });
    expect(done.status).toBe('succeeded');
    expect(done.amount_received).toBe(1500);
    const charge = await stripe.charges.retrieve(done.latest_charge as string);
    expect(charge).toMatchObject({
      amount: 1500,
      captured: true,
      paid: true,
      status: 'succeeded',
      payment_intent: pi.id,
    });
    const bt = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(bt.amount).toBe(1500);
    expect(bt.net).toBe(1500 - bt.fee);
    const again = await stripeError(stripe.paymentIntents.confirm(pi.id));
    expect(again.code).toBe('payment_intent_unexpected_state');
    const balance = await stripe.balance.retrieve();
    expect(balance.pending.length).toBeGreaterThan(0);
  });

  it('captures manually, partially, and cancels with a reason', async () => {
    const { stripe } = get();
    const pi = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      capture_method: 'manual',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(pi.status).toBe('requires_capture');
    expect(pi.amount_capturable).toBe(5000);
    const tooMuch = await stripeError(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 6000 }));
    expect(tooMuch.statusCode).toBe(400);
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 3000 });
    expect((await stripe.charges.retrieve(captured.latest_charge as string)).amount_captured).toBe(3000);
    const other = await stripe.paymentIntents.create({ amount: 700, currency: 'usd' });
    const canceled = await stripe.paymentIntents.cancel(other.id, {
      cancellation_reason: 'requested_by_customer',
    });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer' });
    expect(canceled.canceled_at).toBeGreaterThan(0);
    expect((await stripeError(stripe.paymentIntents.cancel(other.id))).code).toBe(
      'payment_intent_unexpected_state',
    );
  });

  it('declines with 402 card_error and last_payment_error; insufficient funds; 3DS requires_action', async () => {
    const { stripe } = get();
    const e = await stripeError(
      stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        confirm: true,
      }),
    );
    expect([e.statusCode, e.type, e.code, e.decline_code]).toEqual([
      402,
      'StripeCardError',
      'card_declined',
      'generic_decline',
    ]);
    const pi = await stripe.paymentIntents.retrieve(e.raw.payment_intent.id);
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined' });
    expect((await stripe.charges.retrieve(e.raw.charge)).status).toBe('failed');
    const nsf = await stripeError(
      stripe.paymentIntents.create({
        amount: 2000,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
        confirm: true,
      }),
    );
    expect(nsf.decline_code).toBe('insufficient_funds');
    const auth = await stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_authenticationRequired',
      confirm: true,
      return_url: 'https://example.com/r',
    });
    expect(auth.status).toBe('requires_action');
    expect(auth.next_action?.type).toBe('redirect_to_url');
    const after = await stripe.paymentIntents.confirm(auth.id);
    expect(after.status).toBe('succeeded');
    const legacy = await stripeError(
      stripe.charges.create({ amount: 1000, currency: 'usd', source: 'tok_chargeDeclined' }),
    );
    expect(legacy.statusCode).toBe(402);
  });

  it('refunds fully and partially, updating the charge', async () => {
    const { stripe } = get();
    const pi = await stripe.paymentIntents.create({
      amount: 4000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    expect(r1).toMatchObject({ amount: 1000, status: 'succeeded', charge: pi.latest_charge });
    let charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect([charge.amount_refunded, charge.refunded]).toEqual([1000, false]);
    const tooBig = await stripeError(stripe.refunds.create({ charge: charge.id, amount: 5000 }));
    expect(tooBig.code).toBe('amount_too_large');
    await stripe.refunds.create({ charge: charge.id });
    charge = await stripe.charges.retrieve(charge.id);
    expect([charge.amount_refunded, charge.refunded]).toEqual([4000, true]);
    expect((await stripe.refunds.list({ charge: charge.id })).data).toHaveLength(2);
    // API 2022-11-15 on: `refunds` is includable, absent unless expanded; PaymentIntents have no `charges`.
    expect('refunds' in charge).toBe(false);
    expect('charges' in (await stripe.paymentIntents.retrieve(pi.id))).toBe(false);
    const expanded: any = await stripe.charges.retrieve(charge.id, { expand: ['refunds'] });
    expect(expanded.refunds?.data.map((r: Stripe.Refund) => r.amount)).toEqual([3000, 1000]);
    expect([expanded.refunds?.total_count, expanded.refunds?.url]).toEqual([
      2,
      `/v1/charges/${charge.id}/refunds`,
    ]);
    const listed = await stripe.charges.list({ limit: 1, expand: ['data.refunds'] });
    expect(listed.data[0].refunds?.data).toHaveLength(2);
    const viaIntent: any = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge.refunds'] });
    expect(viaIntent.latest_charge.refunds.data).toHaveLength(2);
    const direct = await stripe.charges.create({ amount: 1200, currency: 'usd', source: 'tok_visa' });
    const refunded: any = await stripe.rawRequest('POST', `/v1/charges/${direct.id}/refund`, {});
    expect(refunded.refunded).toBe(true);
    const auth = await stripe.charges.create({
      amount: 1200,
      currency: 'usd',
      source: 'tok_mastercard',
      capture: false,
    });
    expect((await stripe.charges.capture(auth.id, { amount: 1000 })).amount_captured).toBe(1000);
  });

  it('sets up a payment method with a SetupIntent, 3DS, and cancel', async () => {
    const { stripe } = get();
    const c = await stripe.customers.create({ name: 'Saver' });
    const si = await stripe.setupIntents.create({
      customer: c.id,
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(si.status).toBe('succeeded');
    expect((await stripe.paymentMethods.retrieve(si.payment_method as string)).customer).toBe(c.id);
    const needs = await stripe.setupIntents.create({ customer: c.id });
    expect(needs.status).toBe('requires_payment_method');
    const action = await stripe.setupIntents.confirm(needs.id, {
      payment_method: 'pm_card_authenticationRequired',
    });
    expect(action.status).toBe('requires_action');
    expect((await stripe.setupIntents.confirm(needs.id)).status).toBe('succeeded');
    const other = await stripe.setupIntents.create({});
    expect((await stripe.setupIntents.cancel(other.id)).status).toBe('canceled');
  });
}
