/** Charges, their BalanceTransactions, and Refunds (full or partial). */
import type { Ctx, Engine } from '../engine.ts';
import { StripeError, invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { cardByLast4, declineMessage } from './cards.ts';
import { collectApplicationFee } from './connect.ts';
import { afterSuccessfulCharge } from './disputes.ts';
import { magicPaymentMethod, testCardOf, usablePaymentMethod } from './payment_methods.ts';

export function balanceTransaction(
  ctx: Ctx,
  source: string,
  amount: number,
  currency: string,
  type: 'charge' | 'refund',
): Obj {
  const fee = type === 'charge' ? Math.round(amount * 0.029) + 30 : 0;
  return ctx.engine.create(
    ctx,
    'balance_transaction',
    {
      amount,
      currency,
      fee,
      fee_details: fee
        ? [
            {
              amount: fee,
              application: null,
              currency,
              description: 'Stripe processing fees',
              type: 'stripe_fee',
            },
          ]
        : [],
      net: amount - fee,
      source,
      status: 'pending',
      type,
      reporting_category: type,
      available_on: ctx.now + 2 * 86400,
      description: null,
      exchange_rate: null,
    },
    { emit: false },
  );
}

export interface ChargeInput {
  amount: number;
  currency: string;
  paymentMethod: Obj;
  customer?: string | null;
  capture: boolean;
  description?: string | null;
  paymentIntent?: string | null;
  invoice?: string | null;
  metadata?: Obj;
  offSession?: boolean;
  /** On a connected account's direct charge, the platform's fee. */
  applicationFeeAmount?: number | null;
}

export interface ChargeResult {
  charge: Obj;
  /** Set when the card declined: the error to answer with (402 card_error). */
  decline?: { code: string; declineCode: string; message: string };
}

/** Runs a card payment: a Charge (succeeded or failed) and, when captured, a BalanceTransaction. */
export function chargeCard(ctx: Ctx, input: ChargeInput): ChargeResult {
  const pm = input.paymentMethod;
  const card = testCardOf(pm);
  let declineCode = card?.decline;
  if (!declineCode && card?.auth === 'always' && input.offSession) declineCode = 'authentication_required';
  const decline = declineCode ? { ...declineMessage(declineCode), declineCode } : undefined;
  const id = ctx.engine.newId('charge', ctx.livemode);
  const captured = !decline && input.capture;
  const charge = ctx.engine.create(
    ctx,
    'charge',
    {
      id,
      amount: input.amount,
      amount_captured: captured ? input.amount : 0,
      amount_refunded: 0,
      balance_transaction: null,
      billing_details: pm.billing_details,
      calculated_statement_descriptor: 'EMULATOR',
      captured,
      currency: input.currency,
      customer: input.customer ?? null,
      description: input.description ?? null,
      disputed: false,
      failure_code: decline?.code ?? null,
      failure_message: decline?.message ?? null,
      fraud_details: {},
      invoice: input.invoice ?? null,
      metadata: input.metadata ?? {},
      outcome: {
        network_status: decline ? 'declined_by_network' : 'approved_by_network',
        reason: decline ? declineCode : null,
        risk_level: 'normal',
        risk_score: 20,
        seller_message: decline
          ? 'The bank did not return any further details with this decline.'
          : 'Payment complete.',
        type: decline ? 'issuer_declined' : 'authorized',
      },
      paid: !decline,
      payment_intent: input.paymentIntent ?? null,
      payment_method: pm.id,
      payment_method_details: { type: pm.type, [pm.type]: paymentMethodDetails(pm) },
      receipt_url: `https://pay.stripe.com/receipts/emulator/${id}`,
      refunded: false,
      status: decline ? 'failed' : 'succeeded',
    },
    { emit: false },
  );
  if (captured)
    charge.balance_transaction = balanceTransaction(ctx, id, input.amount, input.currency, 'charge').id;
  ctx.engine.emit(ctx, decline ? 'charge.failed' : 'charge.succeeded', charge);
  if (captured && input.applicationFeeAmount) collectApplicationFee(ctx, charge, input.applicationFeeAmount);
  if (captured) afterSuccessfulCharge(ctx, charge, card);
  return { charge, decline };
}

function paymentMethodDetails(pm: Obj): Obj {
  if (pm.type !== 'card' || !pm.card) return {};
  const { brand, checks, country, exp_month, exp_year, fingerprint, funding, last4, wallet } = pm.card;
  return {
    brand,
    checks,
    country,
    exp_month,
    exp_year,
    fingerprint,
    funding,
    last4,
    wallet,
    installments: null,
    mandate: null,
    network: brand,
    three_d_secure: null,
  };
}

export function cardError(decline: NonNullable<ChargeResult['decline']>, extra: Obj): StripeError {
  return new StripeError(402, 'card_error', decline.message, {
    code: decline.code,
    extra: { decline_code: decline.declineCode, ...extra },
  });
}

export function captureCharge(ctx: Ctx, charge: Obj, amount: number): void {
  const bt = balanceTransaction(ctx, charge.id, amount, charge.currency, 'charge');
  ctx.engine.update(
    ctx,
    'charge',
    charge,
    { captured: true, amount_captured: amount, balance_transaction: bt.id },
    'charge.captured',
  );
  afterSuccessfulCharge(ctx, charge, cardByLast4(charge.payment_method_details?.card?.last4));
}

export function refund(ctx: Ctx, charge: Obj, params: Obj): Obj {
  const remaining = (charge.captured ? charge.amount_captured : charge.amount) - charge.amount_refunded;
  if (charge.refunded || remaining <= 0) {
    throw invalid(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
  }
  const amount = params.amount === undefined ? remaining : Number(params.amount);
  if (amount > remaining || amount <= 0) {
    throw invalid(
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
      'amount_too_large',
      'amount',
    );
  }
  const id = ctx.engine.newId('refund', ctx.livemode);
  const bt = charge.captured ? balanceTransaction(ctx, id, -amount, charge.currency, 'refund') : undefined;
  const refund = ctx.engine.create(
    ctx,
    'refund',
    {
      id,
      amount,
      balance_transaction: bt?.id ?? null,
      charge: charge.id,
      currency: charge.currency,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason: params.reason ?? null,
      status: 'succeeded',
    },
    { emit: false },
  );
  ctx.engine.shapes.apply(refund, 'refund', { metadata: params.metadata, description: params.description });
  ctx.engine.emit(ctx, 'refund.created', refund);
  const refundedTotal = charge.amount_refunded + amount;
  ctx.engine.update(
    ctx,
    'charge',
    charge,
    {
      amount_refunded: refundedTotal,
      refunded: refundedTotal >= (charge.captured ? charge.amount_captured : charge.amount),
    },
    'charge.refunded',
  );
  return refund;
}

function resolveSource(ctx: Ctx, source: string | undefined, customer: Obj | undefined): Obj {
  if (source) return magicPaymentMethod(ctx, source) ?? usablePaymentMethod(ctx, source, 'source');
  const pmId = customer?.invoice_settings?.default_payment_method ?? customer?.default_source;
  if (pmId) return usablePaymentMethod(ctx, pmId, 'customer');
  throw invalid('Must provide source or customer.', 'parameter_missing', 'source');
}

export function registerCharges(engine: Engine): void {
  engine.on('charge', 'create', (ctx) => {
    const p = ctx.params;
    const customer = p.customer ? ctx.engine.get(ctx, 'customer', String(p.customer), 'customer') : undefined;
    const pm = resolveSource(ctx, p.source as string | undefined, customer);
    const { charge, decline } = chargeCard(ctx, {
      amount: Number(p.amount),
      currency: String(p.currency),
      paymentMethod: pm,
      customer: customer?.id,
      capture: p.capture !== false,
      description: (p.description as string) ?? null,
      metadata: (p.metadata as Obj) ?? {},
      applicationFeeAmount: p.application_fee_amount as number | undefined,
    });
    if (decline) throw cardError(decline, { charge: charge.id });
    ctx.engine.shapes.apply(
      charge,
      'charge',
      p,
      new Set(['customer', 'amount', 'currency', 'source', 'capture']),
    );
    return charge;
  });

  engine.on('charge', 'capture', (ctx) => {
    const charge = ctx.engine.get(ctx, 'charge', ctx.pathValues.charge, 'charge');
    if (charge.captured)
      throw invalid(`Charge ${charge.id} has already been captured.`, 'charge_already_captured');
    const amount = ctx.params.amount === undefined ? charge.amount : Number(ctx.params.amount);
    if (amount > charge.amount)
      throw invalid('Amount to capture exceeds the authorized amount.', 'amount_too_large', 'amount');
    captureCharge(ctx, charge, amount);
    return charge;
  });

  engine.on('charge', 'refund', (ctx) => {
    const charge = ctx.engine.get(ctx, 'charge', ctx.pathValues.charge, 'charge');
    refund(ctx, charge, ctx.params);
    return charge;
  });

  const createRefund = (ctx: Ctx) => {
    const p = ctx.params;
    let chargeId = (ctx.pathValues.charge ?? p.charge) as string | undefined;
    if (!chargeId && p.payment_intent) {
      const pi = ctx.engine.get(ctx, 'payment_intent', String(p.payment_intent), 'payment_intent');
      chargeId = pi.latest_charge ?? undefined;
      if (!chargeId || pi.status !== 'succeeded') {
        throw invalid(
          `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
          'charge_not_refundable',
          'payment_intent',
        );
      }
    }
    if (!chargeId)
      throw invalid(
        'One of the following params should be provided for this request: payment_intent or charge.',
        'parameter_missing',
        'charge',
      );
    const charge = ctx.engine.get(ctx, 'charge', chargeId, 'charge');
    return refund(ctx, charge, p);
  };
  engine.on('refund', 'create', createRefund);
  engine.on('refund', 'create_charges', createRefund);
  engine.on('refund', 'cancel', (ctx) => {
    const r = ctx.engine.get(ctx, 'refund', ctx.pathValues.refund, 'refund');
    if (r.status !== 'pending' && r.status !== 'requires_action') {
      throw invalid(`Refund ${r.id} cannot be canceled because it has a status of ${r.status}.`);
    }
    ctx.engine.update(ctx, 'refund', r, { status: 'canceled' });
    return r;
  });

  // Since API version 2022-11-15 a Charge carries `refunds` only when expanded (`expand[]=refunds`).
  engine.includables.set('charge:refunds', (ctx, charge) => ({
    object: 'list',
    data: [...ctx.ns.collection('refund').newestFirst()].filter((r) => r.charge === charge.id),
    has_more: false,
    url: `/v1/charges/${charge.id}/refunds`,
  }));

  engine.on('balance', 'retrieve', (ctx) => {
    const sums = new Map<string, { available: number; pending: number }>();
    for (const bt of ctx.ns.collection('balance_transaction').oldestFirst()) {
      const s = sums.get(bt.currency) ?? { available: 0, pending: 0 };
      if (bt.status === 'available') s.available += bt.net ?? 0;
      else s.pending += bt.net ?? 0;
      sums.set(bt.currency, s);
    }
    if (!sums.size) sums.set('usd', { available: 0, pending: 0 });
    const entry = (currency: string, amount: number) => ({
      amount,
      currency,
      source_types: { card: amount },
    });
    return {
      object: 'balance',
      livemode: ctx.livemode,
      available: [...sums].map(([c, s]) => entry(c, s.available)),
      pending: [...sums].map(([c, s]) => entry(c, s.pending)),
    };
  });
}
