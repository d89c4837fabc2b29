import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { start, stripeError, client } from '../support/harness.ts';

export function conditionsSuite() {
  it('adds latency, answers 429 rate_limit beyond the budget, injects faults deterministically', async () => {
    const { em, stripe } = await start({ latency: { ms: 60 } });
    try {
      const t0 = Date.now();
      await stripe.customers.list();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
      em.setConditions({ latency: undefined, rateLimit: 3 });
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => stripe.customers.list()));
      const limited = results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(limited[0].statusCode).toBe(429);
      expect(limited[0].code).toBe('rate_limit');
      expect(limited[0].headers['stripe-should-retry']).toBe('true');
      em.setConditions({ rateLimit: undefined, faults: '500:1' });
      const e = await stripeError(stripe.customers.list());
      expect([e.statusCode, e.type]).toEqual([500, 'StripeAPIError']);
      em.setConditions({ faults: 'drop:1' });
      expect((await stripeError(stripe.customers.list())).type).toBe('StripeConnectionError');
      em.setConditions({ faults: { timeout: 1, timeoutMs: 300 } });
      const slowClient = client(em, 'sk_test_x', { timeout: 150 });
      expect((await stripeError(slowClient.customers.list())).type).toBe('StripeConnectionError');
      em.setConditions({ faults: undefined });
      // The same seed gives the same fault sequence.
      const pattern = async () => {
        const { em: e2, stripe: s2 } = await start({ faults: '500:0.5', randomSeed: 7 });
        const out: number[] = [];
        for (let i = 0; i < 12; i++)
          out.push(
            await s2.customers.list().then(
              () => 200,
              (err) => err.statusCode,
            ),
          );
        await e2.close();
        return out;
      };
      const [a, b] = [await pattern(), await pattern()];
      expect(a).toEqual(b);
      expect(a).toContain(500);
      expect(a).toContain(200);
      const retrying = client(em, 'sk_test_x', { maxNetworkRetries: 2 });
      em.setConditions({ faults: '503:0.5' });
      expect((await retrying.customers.list()).object).toBe('list');
    } finally {
      await em.close();
    }
  });

  it('persists state across restarts with dataFile', async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), 'emu-')), 'state.json');
    const first = await start({ dataFile });
    const c = await first.stripe.customers.create({ name: 'Persistent' });
    await first.em.close();
    const second = await start({ dataFile });
    try {
      expect((await second.stripe.customers.retrieve(c.id)) as any).toMatchObject({ name: 'Persistent' });
    } finally {
      await second.em.close();
    }
  });

  it('seeds a demo account and bulk-loads objects that list and page fast', async () => {
    const { em, stripe } = await start({ seed: 'demo' });
    try {
      const intents = await stripe.paymentIntents.list({ limit: 100 });
      const states = new Set(intents.data.map((p) => p.status));
      for (const s of [
        'succeeded',
        'requires_payment_method',
        'requires_confirmation',
        'requires_capture',
        'canceled',
        'requires_action',
      ])
        expect(states).toContain(s);
      const invoices = await stripe.invoices.list({ limit: 100 });
      expect(new Set(invoices.data.map((i) => i.status))).toEqual(
        new Set(['draft', 'open', 'paid', 'void', 'uncollectible']),
      );
      expect((await stripe.quotes.list({ limit: 100 })).data.length).toBeGreaterThanOrEqual(4);
      expect((await stripe.subscriptions.list({ status: 'all' })).data.length).toBe(3);
      expect((await stripe.events.list()).data.length).toBe(10);
      // Its history spans past months, so date filters find something on each side.
      const customers = (await stripe.customers.list({ limit: 100 })).data;
      const created = customers.map((c) => c.created);
      const now = Math.floor(Date.now() / 1000);
      expect(new Set(created).size).toBe(customers.length);
      expect(now - Math.min(...created)).toBeGreaterThan(120 * 86400);
      expect(Math.max(...created)).toBeLessThan(now - 30 * 86400);
      const cut = now - 100 * 86400;
      const older = await stripe.customers.list({ limit: 100, created: { lt: cut } });
      expect(older.data.length).toBeGreaterThan(0);
      expect(older.data.length).toBeLessThan(customers.length);
      expect(new Set(intents.data.map((p) => p.created)).size).toBeGreaterThan(5);
      const subs = await stripe.subscriptions.list({ status: 'active' });
      expect(subs.data.every((s: any) => s.current_period_end > now)).toBe(true);
      em.load(
        'customer',
        Array.from({ length: 50_000 }, (_, i) => ({ email: `bulk${i}@example.com` })),
        { account: 'acct_bulk' },
      );
      const opts = { stripeAccount: 'acct_bulk' };
      const page = await stripe.customers.list({ limit: 100 }, opts);
      expect(page.data[0].email).toBe('bulk49999@example.com');
      const deep = await stripe.customers.list({ limit: 3, starting_after: page.data[99].id }, opts);
      expect(deep.data[0].email).toBe('bulk49899@example.com');
      expect((await stripe.customers.list({ email: 'bulk7@example.com' }, opts)).data).toHaveLength(1);
    } finally {
      await em.close();
    }
  });
}
