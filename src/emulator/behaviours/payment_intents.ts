/**
 * PaymentIntent's state machine: requires_payment_method → requires_confirmation →
 * requires_action / requires_capture / processing → succeeded / canceled; declines return to
 * requires_payment_method with last_payment_error and answer 402 card_error.
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { captureCharge, cardError, chargeCard } from './charges.ts';
import { attach, testCardOf, usablePaymentMethod } from './payment_methods.ts';

const CONFIRMABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action']);
const CANCELABLE = new Set([
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
]);

function unexpected(pi: Obj, action: string): never {
  throw invalid(
    `You cannot ${action} this PaymentIntent because it has a status of ${pi.status}.`,
    'payment_intent_unexpected_state',
  );
}

function getIntent(ctx: Ctx): Obj {
  return ctx.engine.get(ctx, 'payment_intent', ctx.pathValues.intent, 'id');
}

/** Used by PaymentIntents and Invoices: resolves and checks the method, attaching if asked. */
export function resolveMethod(ctx: Ctx, id: string, customer: string | null | undefined): Obj {
  const pm = usablePaymentMethod(ctx, id);
  if (pm.customer && customer && pm.customer !== customer) {
    throw invalid(
      `The provided PaymentMethod belongs to a different Customer (${pm.customer}).`,
      'payment_method_unexpected_state',
      'payment_method',
    );
  }
  return pm;
}

export function confirmIntent(ctx: Ctx, pi: Obj, p: Obj): Obj {
  if (!CONFIRMABLE.has(pi.status)) unexpected(pi, 'confirm');
  const pmId = (p.payment_method as string | undefined) ?? pi.payment_method;
  if (!pmId) {
    throw invalid(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      'payment_intent_unexpected_state',
    );
  }
  const pm = resolveMethod(ctx, pmId, pi.customer);
  const authenticated = pi.status === 'requires_action' && pi.payment_method === pm.id;
  const changes: Obj = { payment_method: pm.id, last_payment_error: null, next_action: null };
  for (const key of ['receipt_email', 'setup_future_usage', 'capture_method', 'shipping'] as const) {
    if (p[key] !== undefined) ctx.engine.shapes.apply(changes, 'payment_intent', { [key]: p[key] });
  }
  const card = testCardOf(pm);
  if (card?.auth === 'always' && !authenticated && !p.off_session) {
    const returnUrl = p.return_url as string | undefined;
    changes.status = 'requires_action';
    changes.next_action = returnUrl
      ? {
          type: 'redirect_to_url',
          redirect_to_url: {
            return_url: returnUrl,
            url: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${pi.id}`,
          },
        }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: {
            type: 'three_d_secure_redirect',
            stripe_js: `https://hooks.stripe.com/redirect/authenticate/${pi.id}`,
          },
        };
    ctx.engine.update(ctx, 'payment_intent', pi, changes, false);
    ctx.engine.emit(ctx, 'payment_intent.requires_action', pi);
    return pi;
  }
  const manual = (changes.capture_method ?? pi.capture_method) === 'manual';
  const { charge, decline } = chargeCard(ctx, {
    amount: pi.amount,
    currency: pi.currency,
    paymentMethod: pm,
    customer: pi.customer,
    capture: !manual,
    description: pi.description,
    paymentIntent: pi.id,
    invoice: pi.invoice ?? null,
    metadata: pi.metadata,
    offSession: Boolean(p.off_session),
    applicationFeeAmount: pi.application_fee_amount,
  });
  changes.latest_charge = charge.id;
  if (decline) {
    changes.status = 'requires_payment_method';
    changes.last_payment_error = {
      charge: charge.id,
      code: decline.code,
      decline_code: decline.declineCode,
      doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
      message: decline.message,
      payment_method: ctx.engine.render(pm),
      type: 'card_error',
    };
    ctx.engine.update(ctx, 'payment_intent', pi, changes, false);
    ctx.engine.emit(ctx, 'payment_intent.payment_failed', pi);
    throw cardError(decline, {
      charge: charge.id,
      payment_intent: ctx.engine.render(pi),
      payment_method: ctx.engine.render(pm),
    });
  }
  if (manual) {
    Object.assign(changes, { status: 'requires_capture', amount_capturable: pi.amount });
  } else {
    Object.assign(changes, { status: 'succeeded', amount_received: pi.amount, amount_capturable: 0 });
  }
  ctx.engine.update(ctx, 'payment_intent', pi, changes, false);
  ctx.engine.emit(ctx, manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded', pi);
  if (pi.customer && (changes.setup_future_usage ?? pi.setup_future_usage) && !pm.customer)
    attach(ctx, pm, pi.customer);
  return pi;
}

/**
 * Stripe answers with the options of every card-capable intent filled in (3DS `automatic`), not
 * null: defaults first, then whatever the request set.
 */
export function withMethodOptions(ctx: Ctx, resourceId: 'payment_intent' | 'setup_intent', obj: Obj): void {
  const types = (obj.payment_method_types as string[] | undefined) ?? [];
  if (!types.includes('card')) return;
  const options: Obj = { ...(obj.payment_method_options ?? {}) };
  const card: Obj = options.card ?? {};
  options.card = {
    ...ctx.engine.shapes.template(`${resourceId}_payment_method_options_card`),
    ...card,
    request_three_d_secure: card.request_three_d_secure ?? 'automatic',
  };
  obj.payment_method_options = options;
}

export function createIntent(ctx: Ctx, p: Obj): Obj {
  const amount = Number(p.amount);
  if (String(p.currency) === 'usd' && amount < 50) {
    throw invalid('Amount must be at least $0.50 usd', 'amount_too_small', 'amount');
  }
  if (p.customer) ctx.engine.get(ctx, 'customer', String(p.customer), 'customer');
  let pmId: string | null = null;
  if (p.payment_method) pmId = resolveMethod(ctx, String(p.payment_method), p.customer as string).id;
  const id = ctx.engine.newId('payment_intent', ctx.livemode);
  const pi = ctx.engine.create(
    ctx,
    'payment_intent',
    {
      id,
      amount,
      amount_capturable: 0,
      amount_received: 0,
      capture_method: 'automatic',
      client_secret: `${id}_secret_${ctx.engine.ids.chars(24)}`,
      confirmation_method: 'automatic',
      payment_method: pmId,
      payment_method_types: ['card'],
      status: pmId ? 'requires_confirmation' : 'requires_payment_method',
    },
    { emit: false },
  );
  ctx.engine.shapes.apply(pi, 'payment_intent', p, new Set(['payment_method', 'amount', 'confirm']));
  withMethodOptions(ctx, 'payment_intent', pi);
  ctx.engine.emit(ctx, 'payment_intent.created', pi);
  if (p.confirm === true) confirmIntent(ctx, pi, { ...p, payment_method: pmId ?? undefined });
  return pi;
}

export function registerPaymentIntents(engine: Engine): void {
  engine.on('payment_intent', 'create', (ctx) => createIntent(ctx, ctx.params));

  engine.on('payment_intent', 'update', (ctx) => {
    const pi = getIntent(ctx);
    if (pi.status === 'succeeded' || pi.status === 'canceled') unexpected(pi, 'update');
    const p = { ...ctx.params };
    if (p.payment_method) p.payment_method = resolveMethod(ctx, String(p.payment_method), pi.customer).id;
    const previous = ctx.engine.shapes.apply(pi, 'payment_intent', p);
    if (p.payment_method_options !== undefined || p.payment_method_types !== undefined)
      withMethodOptions(ctx, 'payment_intent', pi);
    if (p.payment_method && pi.status === 'requires_payment_method') {
      previous.status = pi.status;
      pi.status = 'requires_confirmation';
    }
    if (Object.keys(previous).length) ctx.engine.emit(ctx, 'payment_intent.updated', pi, previous);
    return pi;
  });

  engine.on('payment_intent', 'confirm', (ctx) => confirmIntent(ctx, getIntent(ctx), ctx.params));

  engine.on('payment_intent', 'capture', (ctx) => {
    const pi = getIntent(ctx);
    if (pi.status !== 'requires_capture') unexpected(pi, 'capture');
    const amount =
      ctx.params.amount_to_capture === undefined
        ? pi.amount_capturable
        : Number(ctx.params.amount_to_capture);
    if (amount > pi.amount_capturable || amount <= 0) {
      throw invalid(
        `The amount_to_capture (${amount}) must be positive and at most the amount capturable (${pi.amount_capturable}).`,
        'amount_too_large',
        'amount_to_capture',
      );
    }
    const charge = ctx.engine.get(ctx, 'charge', pi.latest_charge);
    captureCharge(ctx, charge, amount);
    ctx.engine.shapes.apply(pi, 'payment_intent', { metadata: ctx.params.metadata });
    ctx.engine.update(
      ctx,
      'payment_intent',
      pi,
      { status: 'succeeded', amount_received: amount, amount_capturable: 0 },
      false,
    );
    ctx.engine.emit(ctx, 'payment_intent.succeeded', pi);
    return pi;
  });

  engine.on('payment_intent', 'cancel', (ctx) => {
    const pi = getIntent(ctx);
    if (!CANCELABLE.has(pi.status)) unexpected(pi, 'cancel');
    if (pi.status === 'requires_capture' && pi.latest_charge) {
      const charge = ctx.engine.find(ctx, 'charge', pi.latest_charge);
      if (charge)
        ctx.engine.update(
          ctx,
          'charge',
          charge,
          { amount_refunded: charge.amount, refunded: true },
          'charge.refunded',
        );
    }
    ctx.engine.update(
      ctx,
      'payment_intent',
      pi,
      {
        status: 'canceled',
        canceled_at: ctx.now,
        cancellation_reason: ctx.params.cancellation_reason ?? null,
        amount_capturable: 0,
        next_action: null,
      },
      false,
    );
    ctx.engine.emit(ctx, 'payment_intent.canceled', pi);
    return pi;
  });
}
