/**
 * Test clocks move time for the subscriptions of their customers: advancing past a period end
 * renews the subscription (next period), makes its `subscription_cycle` invoice, finalizes it and
 * charges the default payment method; a decline leaves the invoice open and the subscription
 * `past_due`. Each period passed is billed in turn, at its own time.
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { collect, pullPending } from './prorations.ts';
import { periodInvoice, periodLength } from './subscriptions.ts';

const CLOCK = 'test_helpers.test_clock';
/** Statuses a renewal bills; canceled, incomplete and unpaid subscriptions wait. */
const RENEWING = new Set(['active', 'trialing', 'past_due']);

export function registerTestClocks(engine: Engine): void {
  engine.on(CLOCK, 'advance', (ctx) => {
    const clock = ctx.engine.get(ctx, CLOCK, ctx.pathValues.test_clock, 'test_clock');
    const to = Number(ctx.params.frozen_time);
    if (!(to > clock.frozen_time))
      throw invalid(
        `The frozen_time must be after the test clock's current frozen_time (${clock.frozen_time}).`,
        'parameter_invalid_integer',
        'frozen_time',
      );
    for (const sub of clockedSubscriptions(ctx, clock.id)) renewUntil(ctx, sub, to);
    // The work is done synchronously, so the clock is ready again at once.
    ctx.engine.update(ctx, CLOCK, clock, { frozen_time: to, status: 'ready' }, false);
    ctx.engine.emit(ctx, 'test_helpers.test_clock.ready', clock);
    return clock;
  });
}

function clockedSubscriptions(ctx: Ctx, clockId: string): Obj[] {
  const customers = new Set(
    [...ctx.ns.collection('customer').oldestFirst()].filter((c) => c.test_clock === clockId).map((c) => c.id),
  );
  return [...ctx.ns.collection('subscription').oldestFirst()].filter((s) => customers.has(s.customer));
}

/** Bills each period that ends by `to`, at that period's end. */
function renewUntil(ctx: Ctx, sub: Obj, to: number): void {
  while (RENEWING.has(sub.status) && sub.current_period_end <= to && !sub.cancel_at_period_end) {
    const at: Ctx = { ...ctx, now: sub.current_period_end };
    renew(at, sub);
  }
}

function renew(ctx: Ctx, sub: Obj): void {
  const items: Obj[] = sub.items.data;
  const prices = items.map((i) => i.price);
  const start = sub.current_period_end;
  const changes: Obj = { current_period_start: start, current_period_end: start + periodLength(prices[0]) };
  if (sub.status === 'trialing') changes.status = 'active';
  ctx.engine.update(ctx, 'subscription', sub, changes);
  const inv = periodInvoice(ctx, sub, prices, items, { billingReason: 'subscription_cycle' });
  // Prorations of a change of plan since the last invoice are billed with this one.
  pullPending(ctx, inv, sub);
  collect(ctx, sub, inv);
}
