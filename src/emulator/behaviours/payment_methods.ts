/** PaymentMethod: test ids and tokens, create, attach/detach; a detached method is spent for good. */
import type { Ctx, Engine } from '../engine.ts';
import { invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { cardByLast4, cardByName, cardByNumber, type TestCard } from './cards.ts';

const unusableKey = (id: string) => `pm_unusable:${id}`;

export function cardFields(ctx: Ctx, card: TestCard): Obj {
  const spec = ctx.engine.shapes.schema('payment_method')?.fields?.card;
  const year = new Date().getUTCFullYear() + 3;
  return ctx.engine.shapes.coerce(
    {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: card.country ?? 'US',
      exp_month: 12,
      exp_year: year,
      fingerprint: `fp${card.last4}${card.brand}`.slice(0, 16),
      funding: card.funding ?? 'credit',
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    spec,
  ) as Obj;
}

/** Stripe sends an address of nulls, not null, on a card without billing details. */
export function emptyBillingDetails(): Obj {
  return {
    address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
    email: null,
    name: null,
    phone: null,
  };
}

export function newCardPaymentMethod(ctx: Ctx, card: TestCard, extra: Obj = {}): Obj {
  return ctx.engine.create(ctx, 'payment_method', {
    type: 'card',
    billing_details: emptyBillingDetails(),
    card: cardFields(ctx, card),
    customer: null,
    ...extra,
  });
}

/** The test card behind a stored PaymentMethod (by its last4), if any. */
export function testCardOf(pm: Obj): TestCard | undefined {
  return cardByLast4(pm.card?.last4);
}

/** Test ids such as `pm_card_visa` and `tok_visa` become fresh PaymentMethods, as in Stripe's test mode. */
export function magicPaymentMethod(ctx: Ctx, id: string): Obj | undefined {
  const m = /^(?:pm_card_|tok_)(\w+)$/.exec(id);
  if (!m) return undefined;
  const card = cardByName(m[1]);
  return card ? newCardPaymentMethod(ctx, card) : undefined;
}

/** A PaymentMethod a payment may use, or Stripe's error for one that was detached. */
export function usablePaymentMethod(ctx: Ctx, id: string, param = 'payment_method'): Obj {
  const pm = ctx.engine.get(ctx, 'payment_method', id, param);
  if (ctx.ns.side.get(unusableKey(pm.id))) {
    throw invalid(
      'This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.',
      'payment_method_unexpected_state',
      param,
    );
  }
  return pm;
}

export function attach(ctx: Ctx, pm: Obj, customerId: string): void {
  if (pm.customer === customerId) return;
  if (pm.customer) {
    throw invalid(
      'The payment method you provided has already been attached to a customer.',
      'payment_method_unexpected_state',
      'payment_method',
    );
  }
  ctx.engine.get(ctx, 'customer', customerId, 'customer');
  ctx.engine.update(ctx, 'payment_method', pm, { customer: customerId }, 'payment_method.attached');
}

export function registerPaymentMethods(engine: Engine): void {
  engine.resolvers.set('payment_method', magicPaymentMethod);

  engine.on('payment_method', 'create', (ctx) => {
    const p = ctx.params;
    const type = String(p.type ?? 'card');
    let card: TestCard | undefined;
    const cardParam = p.card as Obj | undefined;
    if (type === 'card') {
      if (cardParam?.token) card = cardByName(String(cardParam.token).replace(/^tok_/, ''));
      else if (cardParam?.number) card = cardByNumber(String(cardParam.number));
      card ??= cardByName('visa');
    }
    const pm = ctx.engine.create(
      ctx,
      'payment_method',
      { type, customer: null, billing_details: emptyBillingDetails() },
      { emit: false },
    );
    ctx.engine.shapes.apply(pm, 'payment_method', p, new Set(['card', 'customer', 'type']));
    if (card) pm.card = cardFields(ctx, card);
    const typeSpec = ctx.engine.shapes.schema('payment_method')?.fields?.[type];
    if (type !== 'card' && typeSpec) pm[type] = ctx.engine.shapes.coerce(p[type] ?? {}, typeSpec) ?? null;
    ctx.engine.emit(ctx, 'payment_method.created', pm);
    return pm;
  });

  engine.on('payment_method', 'attach', (ctx) => {
    const pm = usablePaymentMethod(ctx, ctx.pathValues.payment_method, 'payment_method');
    attach(ctx, pm, String(ctx.params.customer));
    return pm;
  });

  engine.on('payment_method', 'detach', (ctx) => {
    const pm = ctx.engine.get(ctx, 'payment_method', ctx.pathValues.payment_method, 'payment_method');
    if (!pm.customer) {
      throw invalid(
        'The payment method you provided is not attached to a customer so detachment is impossible.',
        'payment_method_unexpected_state',
        'payment_method',
      );
    }
    const customer = ctx.engine.find(ctx, 'customer', pm.customer);
    if (customer && customer.invoice_settings?.default_payment_method === pm.id) {
      ctx.engine.update(ctx, 'customer', customer, {
        invoice_settings: { ...customer.invoice_settings, default_payment_method: null },
      });
    }
    ctx.engine.update(ctx, 'payment_method', pm, { customer: null }, 'payment_method.detached');
    ctx.ns.side.set(unusableKey(pm.id), true);
    return pm;
  });

  const listCustomer = (ctx: Ctx) => {
    const customer = ctx.pathValues.customer ?? (ctx.params.customer as string | undefined);
    if (customer) ctx.engine.get(ctx, 'customer', customer, 'customer');
    const type = ctx.params.type as string | undefined;
    const { starting_after, ending_before, limit } = ctx.params;
    const page = ctx.ns
      .collection('payment_method')
      .page(
        limit === undefined ? 10 : Number(limit),
        { startingAfter: starting_after as string, endingBefore: ending_before as string },
        (o) =>
          (!customer || o.customer === customer) &&
          (!type || o.type === type) &&
          (customer !== undefined || o.customer !== null),
      );
    if ('missingCursor' in page)
      throw invalid(
        `No such payment_method: '${page.missingCursor}'`,
        'resource_missing',
        'starting_after',
        404,
      );
    return { object: 'list', data: page.data, has_more: page.hasMore, url: ctx.path };
  };
  engine.on('payment_method', 'list', listCustomer);
  engine.on('payment_method', 'list_customers', listCustomer);
}
