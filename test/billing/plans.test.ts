/** Plan files applied through the queue: products and prices made, a changed price replaced, twice is nothing. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlanFile, parsePlanFile, type BillingService } from '../../src/billing/index.ts';
import { benchWithIntegration, type Bench } from './support.ts';

const EXAMPLE = new URL('../../examples/plans.yaml', import.meta.url).pathname;
let b: Bench;
let billing: BillingService;
beforeAll(async () => {
  ({ b, billing } = await benchWithIntegration());
});
afterAll(() => b?.close());

const prices = async () => (await b.stripe.prices.list({ limit: 100 })).data;
const products = async () => (await b.stripe.products.list({ limit: 100 })).data;

describe('plan files', () => {
  it('examples/plans.yaml is valid and declares pro-monthly', () => {
    const file = loadPlanFile(EXAMPLE);
    expect(file.plans['pro-monthly']).toMatchObject({
      product: 'weather-api',
      price: 2900,
      currency: 'usd',
      interval: 'month',
      usage: 'flat',
    });
    expect(file.plans['api-calls']).toMatchObject({ usage: 'metered', tiers_mode: 'graduated' });
    expect(file.plans['pro-yearly'].trial_days).toBe(14);
  });

  it('names the exact key path of every mistake', () => {
    const bad = (plan: unknown) => {
      try {
        parsePlanFile(plan, 'p.yaml');
      } catch (e) {
        return (e as Error & { code: string }).code + ' ' + (e as Error).message;
      }
      return 'accepted';
    };
    const base = parse(readFileSync(EXAMPLE, 'utf8'));
    const mutate = (f: (x: any) => void) => {
      const copy = structuredClone(base);
      f(copy);
      return bad(copy);
    };
    expect(mutate((x) => (x.plans['pro-monthly'].interval = 'week'))).toBe(
      'INVALID_VALUE invalid plan file p.yaml: plans.pro-monthly.interval: must be one of month, year',
    );
    expect(mutate((x) => (x.plans['pro-monthly'].prise = 1))).toMatch(
      /plans\.pro-monthly\.prise: unknown key/,
    );
    expect(mutate((x) => (x.plans['pro-monthly'].product = 'nope'))).toMatch(
      /plans\.pro-monthly\.product: no product "nope" under products/,
    );
    expect(mutate((x) => (x.plans['api-calls'].tiers[1].up_to = 5))).toMatch(
      /plans\.api-calls\.tiers\.1\.up_to: the last tier must be inf/,
    );
    expect(mutate((x) => (x.plans['pro-monthly'].price = 29.5))).toMatch(
      /plans\.pro-monthly\.price: must be a whole number/,
    );
    expect(mutate((x) => (x.plans['pro-monthly'].tiers = base.plans['api-calls'].tiers))).toMatch(
      /plans\.pro-monthly\.price: give either price or tiers/,
    );
    expect(mutate((x) => (x.plans['Pro Monthly'] = x.plans['pro-monthly']))).toMatch(
      /plans\.Pro Monthly: a name must be lower-case/,
    );
  });

  it('plan shows the changes, apply makes them through the queue, a second apply changes nothing', async () => {
    const planned = await billing.plan({ catalog: 'sandbox', file: EXAMPLE });
    expect(planned.integrations[0].changes.map((c) => c.kind)).toEqual([
      'product.create',
      'price.create',
      'price.create',
      'price.create',
    ]);
    expect(await b.store.billing.jobs()).toEqual([]);
    const applied = await billing.apply({ catalog: 'sandbox', file: EXAMPLE });
    expect(applied.ok).toBe(true);
    expect(applied.integrations[0].jobs!.map((j) => [j.kind, j.status])).toEqual([
      ['product.create', 'succeeded'],
      ['price.create', 'succeeded'],
      ['price.create', 'succeeded'],
      ['price.create', 'succeeded'],
    ]);
    const all = await prices();
    const monthly = all.find((p) => p.lookup_key === 'pro-monthly')!;
    expect(monthly).toMatchObject({
      unit_amount: 2900,
      currency: 'usd',
      active: true,
      product: 'sc_sandbox_weather-api',
      recurring: { interval: 'month', usage_type: 'licensed' },
    });
    const metered = all.find((p) => p.lookup_key === 'api-calls')!;
    expect(metered).toMatchObject({
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      recurring: { usage_type: 'metered' },
    });
    expect(all.find((p) => p.lookup_key === 'pro-yearly')!.metadata.sc_trial_days).toBe('14');
    const second = await billing.apply({ catalog: 'sandbox', file: EXAMPLE });
    expect(second.integrations[0].changes).toEqual([]);
    expect((await prices()).length).toBe(3);
    expect((await products()).length).toBe(1);
  });

  it('a changed price becomes a new price taking the lookup key; the old one is archived; a removed plan is archived', async () => {
    const before = (await prices()).find((p) => p.lookup_key === 'pro-monthly')!;
    const file = parse(readFileSync(EXAMPLE, 'utf8'));
    file.plans['pro-monthly'].price = 3900;
    file.plans['pro-monthly'].nickname = 'Pro (monthly, 2027)';
    delete file.plans['api-calls'];
    const path = join(b.dir, 'plans-2.yaml');
    writeFileSync(path, JSON.stringify(file));
    const planned = await billing.plan({ catalog: 'sandbox', file: path });
    expect(planned.integrations[0].changes.map((c) => c.summary)).toEqual([
      'replace price pro-monthly: 3900 usd per month',
      `archive price pro-monthly (${before.id}, replaced)`,
      expect.stringMatching(/^archive price api-calls \(price_\w+, plan removed\)$/),
    ]);
    expect((await billing.apply({ catalog: 'sandbox', file: path })).ok).toBe(true);
    const after = await prices();
    const current = after.find((p) => p.lookup_key === 'pro-monthly')!;
    expect(current.id).not.toBe(before.id);
    expect([current.unit_amount, current.active, current.nickname]).toEqual([
      3900,
      true,
      'Pro (monthly, 2027)',
    ]);
    const old = after.find((p) => p.id === before.id)!;
    expect([old.active, old.lookup_key, old.unit_amount]).toEqual([false, null, 2900]);
    expect(after.find((p) => p.metadata.sc_plan === 'api-calls')!.active).toBe(false);
    expect((await billing.plan({ catalog: 'sandbox', file: path })).integrations[0].changes).toEqual([]);
    // Back to the first file: a third price for pro-monthly (prices are never edited), api-calls anew.
    expect((await billing.apply({ catalog: 'sandbox', file: EXAMPLE })).ok).toBe(true);
    const back = (await prices()).filter((p) => p.active);
    expect(back.map((p) => [p.lookup_key, p.unit_amount]).sort()).toEqual([
      ['api-calls', null],
      ['pro-monthly', 2900],
      ['pro-yearly', 29000],
    ]);
    expect((await products()).length).toBe(1);
  });
});
