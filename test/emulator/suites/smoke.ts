/** A generic smoke test: every operation of every catalog resource, with params generated from the catalog. */
import qs from 'qs';
import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { CatalogOperation, TypeSpec } from '../../../src/catalog/index.ts';
import type { Emulator } from '../../../src/emulator/index.ts';
import { catalog, check } from '../support/harness.ts';

const ORDER: Record<string, number> = {
  create: 0,
  retrieve: 2,
  update: 3,
  list: 4,
  search: 5,
  custom: 6,
  delete: 7,
};

function sample(spec: TypeSpec, name: string, ids: Map<string, string>, depth = 0): unknown {
  switch (spec.type) {
    case 'string':
      return (
        ids.get(name) ??
        (name === 'query' ? "metadata['smoke']:'yes'" : undefined) ??
        (name === 'url' || name.endsWith('_url')
          ? 'https://example.com/x'
          : name === 'currency'
            ? 'usd'
            : name === 'country'
              ? 'US'
              : name === 'email'
                ? 'smoke@example.com'
                : 'smoke')
      );
    case 'enum':
      return spec.values?.find((v) => v !== '') ?? '';
    case 'integer':
      return 1000;
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'timestamp':
      return Math.floor(Date.now() / 1000) + 3600;
    case 'array':
      return spec.items ? [sample(spec.items, name, ids, depth + 1)] : [];
    case 'anyOf':
      return spec.of?.length ? sample(spec.of[0], name, ids, depth) : 'smoke';
    case 'object': {
      if (!spec.fields || depth > 4) return spec.additional ? { k: 'v' } : {};
      const out: Record<string, unknown> = {};
      for (const f of spec.requiredFields ?? []) out[f] = sample(spec.fields[f], f, ids, depth + 1);
      // An empty object would not reach the wire at all: send its first field instead.
      const first = Object.keys(spec.fields)[0];
      if (!Object.keys(out).length && first) out[first] = sample(spec.fields[first], first, ids, depth + 1);
      return out;
    }
    default:
      return 'smoke';
  }
}

type Setup = (
  stripe: Stripe,
  acct: Stripe.RequestOptions,
  ids: Map<string, string>,
) => Promise<{ path?: Record<string, string>; params?: Record<string, unknown> }>;

/**
 * Operations that need more than generated params: an object in the right state (a draft invoice
 * to finalize, an uncaptured charge to capture) or params Stripe requires together.
 */
const SETUP: Record<string, Setup> = {
  'customer_cash_balance_transaction:fund_cash_balance': async (_s, _a, ids) => ({
    path: { customer: ids.get('setup:customer')! },
    params: { amount: 5000, currency: 'usd' },
  }),
  'coupon:create': async () => ({ params: { percent_off: 10, duration: 'once' } }),
  'charge:create': async () => ({ params: { amount: 1000, currency: 'usd', source: 'tok_visa' } }),
  'invoice:create': async (_s, _a, ids) => ({ params: { customer: ids.get('setup:customer') } }),
  'refund:create': async (s, acct) => ({ params: { payment_intent: (await paidIntent(s, acct)).id } }),
  'subscription:create': async (_s, _a, ids) => ({
    params: { customer: ids.get('setup:customer'), items: [{ price: ids.get('price') }] },
  }),
  'subscription:create_customers': async (_s, _a, ids) => ({
    params: { items: [{ price: ids.get('price') }] },
  }),
  'subscription:delete': async (s, acct, ids) => ({
    path: { subscription_exposed_id: (await trial(s, acct, ids)).id },
  }),
  'charge:capture': async (s, acct) => ({
    path: {
      charge: (
        await s.charges.create({ amount: 900, currency: 'usd', source: 'tok_visa', capture: false }, acct)
      ).id,
    },
  }),
  'charge:refund': async (s, acct) => ({
    path: { charge: (await s.charges.create({ amount: 900, currency: 'usd', source: 'tok_visa' }, acct)).id },
  }),
  'invoice:finalize': async (s, acct, ids) => ({ path: { invoice: (await draftInvoice(s, acct, ids)).id } }),
  'invoice:delete': async (s, acct, ids) => ({ path: { invoice: (await draftInvoice(s, acct, ids)).id } }),
  'invoice:pay': async (s, acct, ids) => ({
    path: { invoice: (await openInvoice(s, acct, ids)).id },
    params: { paid_out_of_band: true },
  }),
  'invoice:send': async (s, acct, ids) => ({ path: { invoice: (await openInvoice(s, acct, ids)).id } }),
  'invoice:void': async (s, acct, ids) => ({ path: { invoice: (await openInvoice(s, acct, ids)).id } }),
  'invoice:mark_uncollectible': async (s, acct, ids) => ({
    path: { invoice: (await openInvoice(s, acct, ids)).id },
  }),
  'invoice:upcoming': async (s, acct, ids) => ({
    params: { customer: (await pendingItem(s, acct, ids)).customer },
  }),
  'line_item:list_upcoming': async (s, acct, ids) => ({
    params: { customer: (await pendingItem(s, acct, ids)).customer },
  }),
  'payment_intent:update': async (s, acct) => ({
    path: { intent: (await s.paymentIntents.create({ amount: 1000, currency: 'usd' }, acct)).id },
  }),
  'payment_intent:cancel': async (s, acct) => ({
    path: { intent: (await s.paymentIntents.create({ amount: 1000, currency: 'usd' }, acct)).id },
  }),
  'payment_intent:confirm': async (s, acct) => ({
    path: {
      intent: (
        await s.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' }, acct)
      ).id,
    },
  }),
  'payment_intent:capture': async (s, acct) => ({
    path: {
      intent: (
        await s.paymentIntents.create(
          {
            amount: 1000,
            currency: 'usd',
            payment_method: 'pm_card_visa',
            capture_method: 'manual',
            confirm: true,
          },
          acct,
        )
      ).id,
    },
  }),
  'setup_intent:confirm': async (s, acct) => ({
    path: { intent: (await s.setupIntents.create({ payment_method: 'pm_card_visa' }, acct)).id },
  }),
  'quote:finalize': async (s, acct, ids) => ({ path: { quote: (await draftQuote(s, acct, ids)).id } }),
  'quote:accept': async (s, acct, ids) => ({
    path: { quote: (await s.quotes.finalizeQuote((await draftQuote(s, acct, ids)).id, {}, acct)).id },
  }),
  'product:delete': async (s, acct) => ({
    path: { id: (await s.products.create({ name: 'Gone' }, acct)).id },
  }),
  'balance_transaction:retrieve': async (s, acct) => ({ path: { id: await balanceTxn(s, acct) } }),
  'balance_transaction:retrieve_balance_history': async (s, acct) => ({
    path: { id: await balanceTxn(s, acct) },
  }),
  'event:retrieve': async (s, acct) => ({
    path: { id: (await s.events.list({ limit: 1 }, acct)).data[0].id },
  }),
  'payment_method:retrieve_customers': async (s, acct, ids) => ({
    path: {
      customer: ids.get('setup:customer')!,
      payment_method: (
        await s.paymentMethods.attach('pm_card_visa', { customer: ids.get('setup:customer')! }, acct)
      ).id,
    },
  }),
};

async function paidIntent(s: Stripe, acct: Stripe.RequestOptions) {
  return s.paymentIntents.create(
    { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
    acct,
  );
}

async function balanceTxn(s: Stripe, acct: Stripe.RequestOptions): Promise<string> {
  const charge = await s.charges.retrieve((await paidIntent(s, acct)).latest_charge as string, {}, acct);
  return charge.balance_transaction as string;
}

async function trial(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  return s.subscriptions.create(
    { customer: ids.get('setup:customer')!, items: [{ price: ids.get('price')! }], trial_period_days: 3 },
    acct,
  );
}

async function pendingItem(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  return s.invoiceItems.create({ customer: ids.get('setup:customer')!, amount: 700, currency: 'usd' }, acct);
}

async function draftInvoice(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  const inv = await s.invoices.create(
    { customer: ids.get('setup:customer')!, collection_method: 'send_invoice', days_until_due: 7 },
    acct,
  );
  await s.invoiceItems.create(
    { customer: ids.get('setup:customer')!, amount: 500, currency: 'usd', invoice: inv.id },
    acct,
  );
  return inv;
}

async function openInvoice(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  return s.invoices.finalizeInvoice((await draftInvoice(s, acct, ids)).id, {}, acct);
}

async function draftQuote(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  const price = await s.prices.create(
    { currency: 'usd', unit_amount: 300, product_data: { name: 'Q' } },
    acct,
  );
  return s.quotes.create({ customer: ids.get('setup:customer')!, line_items: [{ price: price.id }] }, acct);
}

export function smokeSuite(get: () => { em: Emulator; stripe: Stripe }) {
  it('answers every catalog operation in Stripe shape; 2xx bodies validate against the schema', async () => {
    const { em, stripe } = get();
    const acct = { stripeAccount: 'acct_smoke' };
    const ids = new Map<string, string>();
    const customer = await stripe.customers.create({ name: 'Smoke' }, acct);
    const price = await stripe.prices.create(
      {
        currency: 'usd',
        unit_amount: 100,
        recurring: { interval: 'month' },
        product_data: { name: 'Smoke' },
      },
      acct,
    );
    const pi = await stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      acct,
    );
    const sub = await stripe.subscriptions.create(
      { customer: customer.id, items: [{ price: price.id }], trial_period_days: 3 },
      acct,
    );
    Object.entries({
      customer: customer.id,
      price: price.id,
      product: price.product as string,
      payment_intent: pi.id,
      charge: pi.latest_charge as string,
      subscription: sub.id,
      invoice: sub.latest_invoice as string,
      payment_method: pi.payment_method as string,
    }).forEach(([k, v]) => ids.set(k, v));
    // Set-ups use a customer of their own: the smoke run deletes `customer` along the way.
    ids.set('setup:customer', (await stripe.customers.create({ name: 'Setup' }, acct)).id);
    const created = new Map<string, string>(ids);
    const entries = Object.entries(catalog.raw.resources).flatMap(([rid, r]) =>
      r.operations.map((op) => ({ rid, op })),
    );
    entries.sort(
      (a, b) =>
        (ORDER[a.op.kind] ?? 9) - (ORDER[b.op.kind] ?? 9) ||
        (a.op.pathParams.some((p) => p.self) ? 1 : 0) - (b.op.pathParams.some((p) => p.self) ? 1 : 0),
    );
    let answered = 0;
    const unexpected: string[] = [];
    for (const { rid, op } of entries) {
      const setup = await SETUP[`${rid}:${op.name}`]?.(stripe, acct, created);
      const path = fillPath(op, rid, created, setup?.path);
      const params: Record<string, unknown> = {};
      for (const p of op.params) if (p.required) params[p.name] = sample(p, p.name, created);
      Object.assign(params, setup?.params);
      if (op.response.kind === 'binary') {
        // The SDK streams binary bodies from files.stripe.com; fetch the emulator's route directly.
        const res = await fetch(`${em.url}${path}`, {
          headers: { authorization: 'Bearer sk_test_smoke', 'stripe-account': acct.stripeAccount },
        });
        expect((await res.text()).startsWith('%PDF')).toBe(true);
        check(op.method, path, res.status, undefined);
        answered++;
        continue;
      }
      try {
        const query = op.method === 'POST' ? '' : qs.stringify(params, { arrayFormat: 'indices' });
        const res: any = await stripe.rawRequest(
          op.method,
          query ? `${path}?${query}` : path,
          op.method === 'POST' ? (params as any) : undefined,
          acct,
        );
        answered++;
        if (op.kind === 'create' || (op.kind === 'custom' && !op.pathParams.some((p) => p.self))) {
          if (typeof res.id === 'string' && !created.has(rid)) created.set(rid, res.id);
        }
      } catch (error: any) {
        if (!error.statusCode || error.statusCode >= 500 || !error.raw?.message)
          unexpected.push(`${op.method} ${path}: ${error.message}`);
        else answered++;
        if (process.env.SMOKE_VERBOSE)
          console.log(`SMOKE ${rid}:${op.name} ${op.method} ${path} -> ${error.statusCode} ${error.message}`);
      }
    }
    expect(unexpected).toEqual([]);
    expect(answered).toBe(entries.length);
  });
}

function fillPath(
  op: CatalogOperation,
  rid: string,
  created: Map<string, string>,
  given: Record<string, string> = {},
): string {
  let path = op.path;
  for (const p of op.pathParams) {
    const target = p.self ? rid : (p.resource ?? p.name);
    path = path.replace(
      `{${p.name}}`,
      encodeURIComponent(given[p.name] ?? created.get(target) ?? created.get(p.name) ?? `${p.name}_missing`),
    );
  }
  return path;
}
