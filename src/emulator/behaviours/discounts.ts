/**
 * A customer's discount, as Stripe keeps it: `coupon` (or `promotion_code`) on a customer's create
 * or update applies the coupon as a `discount` object on the customer (its coupon, the customer,
 * `start`, and `end` when the coupon runs for some months), redeems the coupon once, and announces
 * it with `customer.discount.created` (or `.updated` when it replaces one). An empty `coupon` or
 * `DELETE /v1/customers/{customer}/discount` removes it (`customer.discount.deleted`). Promotion
 * codes keep the coupon they stand for.
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid, missing } from '../errors.ts';
import { deletedObject, selfObject } from '../generic.ts';
import type { Obj } from '../objects.ts';

/** `months` calendar months after `at` (seconds), on the same day or the month's last one. */
function addMonths(at: number, months: number): number {
  const d = new Date(at * 1000);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return Math.floor(d.getTime() / 1000);
}

function usableCoupon(ctx: Ctx, id: string, param: string): Obj {
  const coupon = ctx.engine.get(ctx, 'coupon', id, param);
  if (coupon.valid === false) throw invalid(`Coupon expired: ${coupon.id}`, 'coupon_expired', param);
  return coupon;
}

/** Counts one redemption; a coupon (or code) used up is no longer valid (active). */
function redeem(ctx: Ctx, resourceId: 'coupon' | 'promotion_code', obj: Obj): void {
  const times = Number(obj.times_redeemed ?? 0) + 1;
  const used = obj.max_redemptions != null && times >= Number(obj.max_redemptions);
  const flag = resourceId === 'coupon' ? { valid: !used } : { active: !used };
  ctx.engine.update(ctx, resourceId, obj, { times_redeemed: times, ...(used ? flag : {}) }, false);
}

/**
 * The discount the params ask for: a new one, null to remove the customer's, or undefined when
 * they name neither `coupon` nor `promotion_code`.
 */
export function discountFrom(ctx: Ctx, p: Obj, customerId: string): Obj | null | undefined {
  const coupon = p.coupon as string | null | undefined;
  const code = p.promotion_code as string | null | undefined;
  if (coupon && code)
    throw invalid(
      'You may only specify one of these parameters: coupon, promotion_code.',
      undefined,
      'coupon',
    );
  if (coupon === undefined && code === undefined) return undefined;
  if (!coupon && !code) return null;
  let promotion: Obj | undefined;
  let applied: Obj;
  if (code) {
    promotion = ctx.engine.get(ctx, 'promotion_code', code, 'promotion_code');
    if (promotion.active === false)
      throw invalid(`This promotion code is not active: ${promotion.id}`, undefined, 'promotion_code');
    if (promotion.customer && promotion.customer !== customerId)
      throw invalid(
        `This promotion code cannot be redeemed by this customer: ${promotion.id}`,
        undefined,
        'promotion_code',
      );
    applied = usableCoupon(ctx, String(promotion.coupon?.id ?? promotion.coupon), 'promotion_code');
    redeem(ctx, 'promotion_code', promotion);
  } else applied = usableCoupon(ctx, String(coupon), 'coupon');
  redeem(ctx, 'coupon', applied);
  const start = ctx.now;
  return {
    id: ctx.engine.ids.id('di', 24),
    object: 'discount',
    checkout_session: null,
    coupon: ctx.engine.render(applied),
    customer: customerId,
    end: applied.duration === 'repeating' ? addMonths(start, Number(applied.duration_in_months ?? 0)) : null,
    invoice: null,
    invoice_item: null,
    promotion_code: promotion?.id ?? null,
    start,
    subscription: null,
  };
}

/** Announces a change of the customer's discount (after the customer's own event). */
export function announceDiscount(ctx: Ctx, before: Obj | null, after: Obj | null): void {
  if (after) ctx.engine.emit(ctx, before ? 'customer.discount.updated' : 'customer.discount.created', after);
  else if (before) ctx.engine.emit(ctx, 'customer.discount.deleted', before);
}

export function registerDiscounts(engine: Engine): void {
  engine.on('customer', 'update', (ctx) => {
    const customer = selfObject(ctx, 'customer');
    const discount = discountFrom(ctx, ctx.params, customer.id);
    const before = (customer.discount as Obj | null | undefined) ?? null;
    const changes = ctx.engine.shapes.apply(
      customer,
      'customer',
      ctx.params,
      new Set(['coupon', 'promotion_code']),
    );
    if (discount !== undefined && (discount || before)) {
      changes.discount = before;
      customer.discount = discount;
    }
    if (Object.keys(changes).length) ctx.engine.emit(ctx, 'customer.updated', customer, changes);
    if (discount !== undefined) announceDiscount(ctx, before, discount);
    return customer;
  });

  // The customer's own discount; those of subscriptions keep the generic handlers.
  engine.on('discount', 'retrieve', (ctx) => {
    const customer = ctx.engine.get(ctx, 'customer', ctx.pathValues.customer, 'customer');
    if (!customer.discount) throw missing('discount', customer.id, 'customer');
    return customer.discount;
  });
  engine.on('discount', 'delete', (ctx) => {
    const customer = ctx.engine.get(ctx, 'customer', ctx.pathValues.customer, 'customer');
    const before = customer.discount as Obj | null;
    if (!before) throw missing('discount', customer.id, 'customer');
    ctx.engine.update(ctx, 'customer', customer, { discount: null });
    announceDiscount(ctx, before, null);
    return deletedObject(ctx, 'deleted_discount', before);
  });

  engine.on('promotion_code', 'create', (ctx) => {
    const coupon = ctx.engine.get(ctx, 'coupon', String(ctx.params.coupon), 'coupon');
    const fields: Obj = {
      coupon: ctx.engine.render(coupon),
      code: ctx.params.code ?? ctx.engine.ids.chars(8).toUpperCase(),
      active: true,
      times_redeemed: 0,
    };
    const promotion = ctx.engine.create(ctx, 'promotion_code', fields, { emit: false });
    ctx.engine.shapes.apply(promotion, 'promotion_code', ctx.params, new Set(['coupon', 'code']));
    ctx.engine.emit(ctx, 'promotion_code.created', promotion);
    return promotion;
  });
}
