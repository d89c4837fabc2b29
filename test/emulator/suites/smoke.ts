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
      return out;
    }
    default:
      return 'smoke';
  }
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
      const path = fillPath(op, rid, created);
      const params: Record<string, unknown> = {};
      for (const p of op.params) if (p.required) params[p.name] = sample(p, p.name, created);
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
      }
    }
    expect(unexpected).toEqual([]);
    expect(answered).toBe(entries.length);
  });
}

function fillPath(op: CatalogOperation, rid: string, created: Map<string, string>): string {
  let path = op.path;
  for (const p of op.pathParams) {
    const target = p.self ? rid : (p.resource ?? p.name);
    path = path.replace(
      `{${p.name}}`,
      encodeURIComponent(created.get(target) ?? created.get(p.name) ?? `${p.name}_missing`),
    );
  }
  return path;
}
