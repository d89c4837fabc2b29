/** Subscription: created from recurring prices with a first invoice that is paid at once when it can be. */
import type { Ctx, Engine } from '../engine.ts';
import { StripeError, invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { listMatcher, listPage } from '../generic.ts';
import { LINE_DEFAULTS, createInvoice, finalize, pay, recompute } from './invoices.ts';
import { prorate } from './prorations.ts';

const INTERVAL_S: Record<string, number> = {
  day: 86400,
  week: 7 * 86400,
  month: 30 * 86400,
  year: 365 * 86400,
};

/** Creates a subscription with its items and first invoice, paid at once when it can be (as Stripe). */
export function createSubscription(ctx: Ctx, p: Obj): Obj {
  const customerId = String(ctx.pathValues.customer ?? p.customer);
  const customer = ctx.engine.get(ctx, 'customer', customerId, 'customer');
  const itemsIn = (p.items as Obj[] | undefined) ?? [];
  if (!itemsIn.length) throw invalid('Missing required param: items.', 'parameter_missing', 'items');
  const id = ctx.engine.newId('subscription', ctx.livemode);
  const prices = recurringPrices(ctx, itemsIn);
  const items = itemsIn.map((item, i) =>
    ctx.engine.create(
      ctx,
      'subscription_item',
      {
        subscription: id,
        price: ctx.engine.render(prices[i]),
        quantity: Number(item.quantity ?? 1),
        metadata: item.metadata ?? {},
        tax_rates: [],
        billing_thresholds: null,
      },
      { emit: false },
    ),
  );
  const trialEnd =
    p.trial_end === 'now'
      ? null
      : ((p.trial_end as number | undefined) ??
        (p.trial_period_days ? ctx.now + Number(p.trial_period_days) * 86400 : null));
  const sub = newSubscription(ctx, p, id, customer.id, prices, items, trialEnd);
  const inv = firstInvoice(ctx, p, sub, prices, items, trialEnd);
  sub.latest_invoice = inv.id;
  ctx.engine.emit(ctx, 'customer.subscription.created', sub);
  settleFirstInvoice(ctx, p, sub, inv, trialEnd);
  return sub;
}

/** The items' prices, which must be recurring. */
function recurringPrices(ctx: Ctx, itemsIn: Obj[]): Obj[] {
  return itemsIn.map((item, i) => {
    if (!item.price)
      throw invalid(`Missing required param: items[${i}][price].`, 'parameter_missing', `items[${i}][price]`);
    const price = ctx.engine.get(ctx, 'price', String(item.price), `items[${i}][price]`);
    if (price.type !== 'recurring') {
      throw invalid(
        `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
        undefined,
        `items[${i}][price]`,
      );
    }
    return price;
  });
}

/** One billing period of the first price, in seconds. */
export function periodLength(price: Obj): number {
  const interval = price.recurring;
  return (INTERVAL_S[interval.interval] ?? INTERVAL_S.month) * (interval.interval_count ?? 1);
}

function newSubscription(
  ctx: Ctx,
  p: Obj,
  id: string,
  customerId: string,
  prices: Obj[],
  items: Obj[],
  trialEnd: number | null,
): Obj {
  const sub = ctx.engine.create(
    ctx,
    'subscription',
    {
      id,
      billing_cycle_anchor: ctx.now,
      cancel_at_period_end: false,
      // Stripe's defaults for objects the schema lets be null.
      cancellation_details: { comment: null, feedback: null, reason: null },
      default_tax_rates: [],
      payment_settings: {
        payment_method_options: null,
        payment_method_types: null,
        save_default_payment_method: 'off',
      },
      trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
      collection_method: (p.collection_method as string) ?? 'charge_automatically',
      currency: prices[0].currency,
      current_period_start: ctx.now,
      current_period_end: trialEnd ?? ctx.now + periodLength(prices[0]),
      customer: customerId,
      items: {
        object: 'list',
        data: items,
        has_more: false,
        total_count: items.length,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      metadata: {},
      start_date: ctx.now,
      status: trialEnd ? 'trialing' : 'incomplete',
      trial_start: trialEnd ? ctx.now : null,
      trial_end: trialEnd,
    },
    { emit: false },
  );
  ctx.engine.shapes.apply(
    sub,
    'subscription',
    p,
    new Set(['customer', 'items', 'trial_end', 'collection_method', 'currency']),
  );
  return sub;
}

/** The subscription's invoice for its current period: one line per item (zero in a trial). */
export function periodInvoice(
  ctx: Ctx,
  sub: Obj,
  prices: Obj[],
  items: Obj[],
  opts: { billingReason: string; daysUntilDue?: unknown; free?: boolean },
): Obj {
  const inv = createInvoice(
    ctx,
    {
      customer: sub.customer,
      currency: sub.currency,
      collection_method: sub.collection_method,
      days_until_due: opts.daysUntilDue,
    },
    { billing_reason: opts.billingReason, subscription: sub.id },
  );
  for (const [i, item] of items.entries()) {
    const unit = opts.free ? 0 : (prices[i].unit_amount ?? 0);
    const line = ctx.engine.shapes.template('line_item');
    Object.assign(line, {
      id: `il_${ctx.engine.ids.chars(14)}`,
      object: 'line_item',
      amount: unit * item.quantity,
      amount_excluding_tax: unit * item.quantity,
      unit_amount_excluding_tax: String(unit),
      ...structuredClone(LINE_DEFAULTS),
      currency: sub.currency,
      description: `${item.quantity} × ${prices[i].nickname ?? prices[i].product} (at ${prices[i].unit_amount} / ${prices[i].recurring.interval})`,
      discountable: true,
      livemode: ctx.livemode,
      metadata: {},
      period: { start: sub.current_period_start, end: sub.current_period_end },
      price: item.price,
      proration: false,
      quantity: item.quantity,
      subscription: sub.id,
      subscription_item: item.id,
      type: 'subscription',
    });
    inv.lines.data.push(line);
  }
  recompute(ctx, inv);
  return inv;
}

function firstInvoice(ctx: Ctx, p: Obj, sub: Obj, prices: Obj[], items: Obj[], trialEnd: number | null): Obj {
  return periodInvoice(ctx, sub, prices, items, {
    billingReason: 'subscription_create',
    daysUntilDue: p.days_until_due,
    free: trialEnd !== null,
  });
}

/** Finalizes the first invoice and pays it as the payment behaviour says; the status follows. */
function settleFirstInvoice(ctx: Ctx, p: Obj, sub: Obj, inv: Obj, trialEnd: number | null): void {
  finalize(ctx, inv);
  if (inv.status === 'paid') {
    if (!trialEnd) ctx.engine.update(ctx, 'subscription', sub, { status: 'active' });
  } else if (sub.collection_method === 'send_invoice') {
    ctx.engine.update(ctx, 'subscription', sub, { status: 'active' });
  } else if (p.payment_behavior !== 'default_incomplete') {
    try {
      pay(ctx, inv, { payment_method: p.default_payment_method });
    } catch (error) {
      const hardFail = p.payment_behavior === 'error_if_incomplete';
      if (!(error instanceof StripeError) || (hardFail && error.status === 402)) throw error;
      if (hardFail) throw error;
    }
  }
}

function getSub(ctx: Ctx): Obj {
  const id = ctx.pathValues.subscription_exposed_id ?? ctx.pathValues.subscription;
  const sub = ctx.engine.get(ctx, 'subscription', id, 'id');
  if (ctx.pathValues.customer && sub.customer !== ctx.pathValues.customer)
    throw invalid(`No such subscription: '${id}'`, 'resource_missing', 'id', 404);
  return sub;
}

function cancel(ctx: Ctx): Obj {
  const sub = getSub(ctx);
  if (sub.status === 'canceled')
    throw invalid(`No such subscription: '${sub.id}' is already canceled.`, 'resource_missing', 'id', 404);
  ctx.engine.update(
    ctx,
    'subscription',
    sub,
    {
      status: 'canceled',
      canceled_at: ctx.now,
      ended_at: ctx.now,
      cancellation_details: { comment: null, feedback: null, reason: 'cancellation_requested' },
    },
    'customer.subscription.deleted',
  );
  return sub;
}

export function registerSubscriptions(engine: Engine): void {
  for (const name of ['create', 'create_customers'])
    engine.on('subscription', name, (ctx) => createSubscription(ctx, ctx.params));
  for (const name of ['delete', 'delete_customers']) engine.on('subscription', name, cancel);
  // Stripe hides canceled subscriptions unless `status` asks: `all` is every status, `ended` is
  // canceled or expired ones. Other filters (customer, price, created and period ranges,
  // collection_method, test_clock) narrow as on any list.
  const list = (ctx: Ctx) => {
    if (ctx.pathValues.customer) ctx.engine.get(ctx, 'customer', ctx.pathValues.customer, 'customer');
    const status = ctx.params.status as string | undefined;
    const price = ctx.params.price as string | undefined;
    const rest = listMatcher(ctx, 'subscription', new Set(['status', 'price']));
    const statusOk = (s: Obj): boolean => {
      if (status === 'all') return true;
      if (status === undefined) return s.status !== 'canceled';
      if (status === 'ended') return s.status === 'canceled' || s.status === 'incomplete_expired';
      return s.status === status;
    };
    return listPage(
      ctx,
      'subscription',
      (s) =>
        statusOk(s) &&
        rest(s) &&
        (!price ||
          ((s.items?.data as Obj[] | undefined) ?? []).some((i) => (i.price?.id ?? i.price) === price)),
    );
  };
  engine.on('subscription', 'list', list);
  engine.on('subscription', 'list_customers', list);
  for (const name of ['retrieve', 'retrieve_customers']) engine.on('subscription', name, getSub);
  for (const name of ['update', 'update_customers']) {
    engine.on('subscription', name, (ctx) => {
      const sub = getSub(ctx);
      if (sub.status === 'canceled')
        throw invalid('A canceled subscription can only update its cancellation_details and metadata.');
      const previous = ctx.engine.shapes.apply(sub, 'subscription', ctx.params, new Set(['items']));
      if (Array.isArray(ctx.params.items)) {
        const changed = changeItems(ctx, sub, ctx.params.items as Obj[]);
        Object.assign(previous, changed);
        if (changed.items) prorate(ctx, sub, changed.items.data as Obj[], ctx.params);
      }
      if (Object.keys(previous).length) ctx.engine.emit(ctx, 'customer.subscription.updated', sub, previous);
      return sub;
    });
  }
}

/**
 * `items[i][id]` with a new price or quantity changes that item (a change of plan); the update
 * then prorates it (prorations.ts). Items without an id (additions) are left out.
 */
function changeItems(ctx: Ctx, sub: Obj, itemsIn: Obj[]): Obj {
  const changes = itemsIn.map((item, i) => ({ item, i })).filter(({ item }) => item.id !== undefined);
  if (!changes.length) return {};
  const before = structuredClone(sub.items);
  for (const { item, i } of changes) {
    const existing = (sub.items.data as Obj[]).find((x) => x.id === item.id);
    if (!existing)
      throw invalid(
        `Invalid subscription_item id: ${String(item.id)}`,
        'resource_missing',
        `items[${i}][id]`,
      );
    if (item.price) existing.price = ctx.engine.render(recurringPrices(ctx, [item])[0]);
    if (item.quantity !== undefined) existing.quantity = Number(item.quantity);
  }
  return { items: before };
}
