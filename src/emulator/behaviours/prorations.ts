/**
 * Prorations, as Stripe makes them when a subscription's price or quantity changes mid-period
 * (`proration_behavior`, default `create_prorations`): a credit for the unused time on the old
 * item and a charge for the remaining time on the new one, as pending invoice items (`proration:
 * true`) that the next invoice of the subscription takes in. `always_invoice` invoices them at
 * once; `none` makes none. A change of billing interval (month → year) resets the billing cycle
 * to now and invoices at once: the credit and the new period's full price.
 */
import type { Ctx } from '../engine.ts';
import { StripeError } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { createInvoice, createInvoiceItem, finalize, lineFromItem, pay, recompute } from './invoices.ts';
import { periodInvoice, periodLength } from './subscriptions.ts';

const day = (at: number) => new Date(at * 1000).toISOString().slice(0, 10);
const itemName = (item: Obj) =>
  `${item.quantity} × ${item.price.nickname ?? item.price.product} (at ${item.price.unit_amount} / ${item.price.recurring.interval})`;

/** The subscription's pending invoice items (prorations) as lines of this invoice. */
export function pullPending(ctx: Ctx, inv: Obj, sub: Obj): void {
  for (const ii of ctx.ns.collection('invoiceitem').oldestFirst()) {
    if (ii.subscription !== sub.id || ii.invoice !== null || ii.currency !== inv.currency) continue;
    ctx.engine.update(ctx, 'invoiceitem', ii, { invoice: inv.id }, false);
    inv.lines.data.push(lineFromItem(ctx, ii));
  }
  recompute(ctx, inv);
}

/** Finalizes an invoice of the subscription and charges it; a decline leaves the subscription past due. */
export function collect(ctx: Ctx, sub: Obj, inv: Obj): void {
  ctx.engine.update(ctx, 'subscription', sub, { latest_invoice: inv.id }, false);
  finalize(ctx, inv);
  if (inv.status === 'paid' || sub.collection_method !== 'charge_automatically') return;
  try {
    pay(ctx, inv, { payment_method: sub.default_payment_method ?? undefined });
  } catch (error) {
    if (!(error instanceof StripeError) || error.status >= 500) throw error;
    // Declined (or nothing to charge): the invoice stays open, the subscription past due.
    ctx.engine.update(ctx, 'subscription', sub, { status: 'past_due' });
  }
}

function prorationItem(ctx: Ctx, sub: Obj, item: Obj, amount: number, at: number, description: string) {
  const ii = createInvoiceItem(ctx, {
    customer: sub.customer,
    price: item.price.id,
    amount,
    currency: sub.currency,
    description,
    subscription: sub.id,
  });
  ctx.engine.update(
    ctx,
    'invoiceitem',
    ii,
    {
      proration: true,
      subscription_item: item.id,
      period: { start: at, end: sub.current_period_end },
      unit_amount: amount,
      unit_amount_decimal: String(amount),
    },
    false,
  );
}

/** The time of the subscription: its customer's test clock's frozen time, if it has one (as Stripe). */
function timeOf(ctx: Ctx, sub: Obj): number {
  const customer = ctx.engine.find(ctx, 'customer', String(sub.customer));
  const clock =
    customer?.test_clock && ctx.engine.find(ctx, 'test_helpers.test_clock', String(customer.test_clock));
  return clock ? Number(clock.frozen_time) : ctx.now;
}

/** After `items` changed from `before`: the prorations `p.proration_behavior` asks for. */
export function prorate(ctx: Ctx, sub: Obj, before: Obj[], p: Obj): void {
  const behavior = String(p.proration_behavior ?? 'create_prorations');
  if (behavior === 'none' || sub.status === 'trialing' || sub.status === 'canceled') return;
  const after: Obj[] = sub.items.data;
  const changed = after
    .map((item) => ({ item, old: before.find((b) => b.id === item.id) }))
    .filter(({ item, old }) => old && (old.price.id !== item.price.id || old.quantity !== item.quantity));
  if (!changed.length) return;
  const { current_period_start: start, current_period_end: end } = sub;
  const at = Math.min(Math.max(Number(p.proration_date ?? timeOf(ctx, sub)), start), end);
  const share = end > start ? (end - at) / (end - start) : 0;
  const newInterval = periodLength(after[0].price) !== periodLength(before[0].price);
  for (const { item, old } of changed) {
    const unused = Math.round((old!.price.unit_amount ?? 0) * old!.quantity * share);
    if (unused)
      prorationItem(ctx, sub, old!, -unused, at, `Unused time on ${itemName(old!)} after ${day(at)}`);
    const remaining = Math.round((item.price.unit_amount ?? 0) * item.quantity * share);
    if (!newInterval && remaining)
      prorationItem(ctx, sub, item, remaining, at, `Remaining time on ${itemName(item)} after ${day(at)}`);
  }
  const now: Ctx = { ...ctx, now: at };
  if (newInterval) {
    // A new billing interval starts a new cycle now, billed at once with the credit for the old one.
    ctx.engine.update(ctx, 'subscription', sub, {
      billing_cycle_anchor: at,
      current_period_start: at,
      current_period_end: at + periodLength(after[0].price),
    });
    const inv = periodInvoice(
      now,
      sub,
      after.map((i) => i.price),
      after,
      { billingReason: 'subscription_update' },
    );
    pullPending(now, inv, sub);
    collect(now, sub, inv);
  } else if (behavior === 'always_invoice') {
    const inv = createInvoice(
      now,
      { customer: sub.customer, currency: sub.currency, collection_method: sub.collection_method },
      { billing_reason: 'subscription_update', subscription: sub.id },
    );
    pullPending(now, inv, sub);
    collect(now, sub, inv);
  }
}
