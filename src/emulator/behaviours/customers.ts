/** Customer (invoice prefix, balance, default payment method), products, prices and coupons. */
import type { Ctx, Engine } from '../engine.ts';
import { invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { announceDiscount, discountFrom } from './discounts.ts';
import { attach, usablePaymentMethod } from './payment_methods.ts';

export function createPrice(ctx: Ctx, p: Obj): Obj {
  let product = p.product as string | undefined;
  if (p.product_data) product = createProduct(ctx, p.product_data as Obj).id;
  if (!product) throw invalid('Missing required param: product.', 'parameter_missing', 'product');
  ctx.engine.get(ctx, 'product', product, 'product');
  const recurring = p.recurring as Obj | undefined;
  const unitAmount =
    p.unit_amount ?? (p.unit_amount_decimal !== undefined ? Math.round(Number(p.unit_amount_decimal)) : null);
  const price = ctx.engine.create(
    ctx,
    'price',
    {
      product,
      billing_scheme: 'per_unit',
      tax_behavior: 'unspecified',
      type: recurring ? 'recurring' : 'one_time',
      unit_amount: unitAmount,
      unit_amount_decimal: unitAmount === null ? null : String(p.unit_amount_decimal ?? unitAmount),
      recurring: recurring
        ? {
            aggregate_usage: null,
            interval: recurring.interval,
            interval_count: recurring.interval_count ?? 1,
            trial_period_days: null,
            usage_type: recurring.usage_type ?? 'licensed',
          }
        : null,
    },
    { emit: false },
  );
  ctx.engine.shapes.apply(
    price,
    'price',
    p,
    new Set(['product', 'recurring', 'unit_amount', 'unit_amount_decimal']),
  );
  ctx.engine.emit(ctx, 'price.created', price);
  return price;
}

export function createProduct(ctx: Ctx, p: Obj): Obj {
  const fields: Obj = { images: [], marketing_features: [], type: 'service' };
  if (typeof p.id === 'string') {
    if (ctx.ns.collection('product').has(p.id))
      throw invalid(`Product already exists.`, 'resource_already_exists', 'id');
    fields.id = p.id;
  }
  const product = ctx.engine.create(ctx, 'product', fields, { emit: false });
  ctx.engine.shapes.apply(product, 'product', p, new Set(['default_price_data', 'id']));
  ctx.engine.emit(ctx, 'product.created', product);
  if (p.default_price_data) {
    const price = createPrice(ctx, { ...(p.default_price_data as Obj), product: product.id });
    ctx.engine.update(ctx, 'product', product, { default_price: price.id }, false);
  }
  return product;
}

export function registerCustomers(engine: Engine): void {
  engine.on('customer', 'create', (ctx) => {
    const p = ctx.params;
    const customer = ctx.engine.create(
      ctx,
      'customer',
      {
        balance: 0,
        delinquent: false,
        invoice_prefix: ctx.engine.ids.chars(8).toUpperCase(),
        next_invoice_sequence: 1,
        invoice_settings: {
          custom_fields: null,
          default_payment_method: null,
          footer: null,
          rendering_options: null,
        },
        preferred_locales: [],
        tax_exempt: 'none',
      },
      { emit: false },
    );
    ctx.engine.shapes.apply(customer, 'customer', p, new Set(['payment_method', 'coupon', 'promotion_code']));
    const discount = discountFrom(ctx, p, customer.id) ?? null;
    customer.discount = discount;
    ctx.engine.emit(ctx, 'customer.created', customer);
    announceDiscount(ctx, null, discount);
    if (p.payment_method) attach(ctx, usablePaymentMethod(ctx, String(p.payment_method)), customer.id);
    return customer;
  });

  engine.on('customer_balance_transaction', 'create', (ctx) => {
    const customer = ctx.engine.get(ctx, 'customer', ctx.pathValues.customer, 'customer');
    const amount = Number(ctx.params.amount);
    const ending = (customer.balance ?? 0) + amount;
    const txn = ctx.engine.create(
      ctx,
      'customer_balance_transaction',
      {
        customer: customer.id,
        amount,
        currency: ctx.params.currency,
        ending_balance: ending,
        type: 'adjustment',
        metadata: {},
      },
      { emit: false },
    );
    ctx.engine.shapes.apply(txn, 'customer_balance_transaction', ctx.params, new Set(['amount', 'currency']));
    ctx.engine.update(ctx, 'customer', customer, { balance: ending });
    ctx.engine.emit(ctx, 'customer_balance_transaction.created', txn);
    return txn;
  });

  // Test helper: a bank transfer lands in the customer's cash balance as a `funded` transaction.
  engine.on('customer_cash_balance_transaction', 'fund_cash_balance', (ctx) => {
    const customer = ctx.engine.get(ctx, 'customer', ctx.pathValues.customer, 'customer');
    const currency = String(ctx.params.currency);
    const amount = Number(ctx.params.amount);
    const key = `cash_balance:${customer.id}:${currency}`;
    const ending = ((ctx.ns.side.get(key) as number | undefined) ?? 0) + amount;
    ctx.ns.side.set(key, ending);
    const txn = ctx.engine.create(ctx, 'customer_cash_balance_transaction', {
      customer: customer.id,
      currency,
      ending_balance: ending,
      net_amount: amount,
      type: 'funded',
      funded: { bank_transfer: { reference: ctx.params.reference ?? null, type: 'us_bank_transfer' } },
    });
    return txn;
  });

  engine.on('product', 'create', (ctx) => createProduct(ctx, ctx.params));
  engine.on('product', 'delete', (ctx) => {
    const product = ctx.engine.get(ctx, 'product', ctx.pathValues.id, 'id');
    for (const price of ctx.ns.collection('price').oldestFirst()) {
      if (price.product === product.id) {
        throw invalid(
          'This product cannot be deleted because it has one or more user-created prices.',
          'product_has_prices' as string,
        );
      }
    }
    ctx.ns.collection('product').delete(product.id);
    ctx.engine.emit(ctx, 'product.deleted', product);
    return { id: product.id, object: 'product', deleted: true };
  });
  engine.on('price', 'create', (ctx) => createPrice(ctx, ctx.params));
  engine.on('coupon', 'create', (ctx) => {
    const p = ctx.params;
    if (p.amount_off === undefined && p.percent_off === undefined) {
      throw invalid('Must provide either amount_off or percent_off.', 'parameter_missing', 'percent_off');
    }
    if (p.amount_off !== undefined && !p.currency)
      throw invalid('You must pass currency when passing amount_off.', 'parameter_missing', 'currency');
    const fields: Obj = { duration: p.duration ?? 'once', times_redeemed: 0, valid: true };
    if (typeof p.id === 'string') {
      if (ctx.ns.collection('coupon').has(p.id))
        throw invalid('Coupon already exists.', 'resource_already_exists', 'id');
      fields.id = p.id;
    }
    const coupon = ctx.engine.create(ctx, 'coupon', fields, { emit: false });
    ctx.engine.shapes.apply(coupon, 'coupon', p, new Set(['id']));
    ctx.engine.emit(ctx, 'coupon.created', coupon);
    return coupon;
  });
}
