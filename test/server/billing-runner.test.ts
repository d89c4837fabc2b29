/**
 * The server works off billing jobs: what the routes (or `billing apply --no-wait`) enqueue runs in
 * the server's billing runner; on close a running job finishes, or (past the grace) is left to be
 * claimed again once its lease lapses, and then runs without making anything twice.
 */
import { join } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BillingService, type WorkerEvent } from '../../src/billing/index.ts';
import { billingRunner, type BillingRunnerOptions } from '../../src/server/billing-runner.ts';
import { startServer, storePorts } from '../../src/server/index.ts';
import { startService } from '../../src/server/service.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { bench, ref, type Bench } from '../billing/support.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/plans.yaml', import.meta.url));
let b: Bench;
beforeEach(async () => {
  b = await bench();
});
afterEach(async () => {
  await b.em.close();
  rmSync(b.dir, { recursive: true, force: true });
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A store in the bench's folder with `my-billing` in the sandbox catalog, and the example plan enqueued. */
async function enqueued(dir: string): Promise<{ store: Store; ids: number[] }> {
  const store = await openStore({ url: `sqlite:${join(b.dir, dir, 'store.db')}` });
  const billing = new BillingService({ store, env: b.env });
  await billing.addIntegration({ title: 'My Billing', publishableKey: ref('PK'), secretKey: ref('SK') });
  await billing.addCatalog('sandbox', 'sandbox');
  await billing.attach('sandbox', 'my-billing');
  // What `billing apply --no-wait` does: enqueue only, for a running server to work off.
  const out = await billing.apply({ catalog: 'sandbox', file: EXAMPLE, wait: false });
  await billing.close();
  return { store, ids: out.integrations[0].jobs!.map((j) => j.id) };
}

/** A server running the billing runner on `store`, closed as soon as the runner started a job. */
async function closedWhileRunning(store: Store, opts: Partial<BillingRunnerOptions>): Promise<WorkerEvent[]> {
  const events: WorkerEvent[] = [];
  const server = await startServer({
    port: 0,
    ports: storePorts(store),
    env: b.env,
    log: { level: 'silent' },
    plugins: [billingRunner({ store, idleMs: 20, ...opts, onEvent: (e) => events.push(e) })],
  });
  await until(async () => events.some((e) => e.kind === 'started'), Boolean);
  await server.close();
  return events;
}

describe('the server’s billing runner', () => {
  it('the served server (startService) works off jobs its routes enqueued', async () => {
    const started = await startService({
      dataDir: join(b.dir, 'served'),
      port: 0,
      env: b.env,
      // The keys' variables are what the operator lets clients name.
      config: { api: { secrets: { env: ['PK', 'SK'] } } },
      log: { level: 'silent' },
    });
    const api = (path: string, body?: object) =>
      fetch(`${started.server.url}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${started.token}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    try {
      await api('/api/billing/integrations', {
        title: 'My Billing',
        publishableKey: 'env:PK',
        secretKey: 'env:SK',
      });
      await api('/api/billing/catalogs', { name: 'sandbox', kind: 'sandbox' });
      await api('/api/billing/catalogs/sandbox/integrations', { integration: 'my-billing' });
      const applied = await api('/api/billing/catalogs/sandbox/apply', {
        plan: readFileSync(EXAMPLE, 'utf8'),
      });
      expect(applied.status).toBe(202);
      expect((await applied.json()).ok).toBe(false);
      const jobs = await until(
        async () => (await (await api('/api/billing/jobs?integration=my-billing')).json()).data,
        (data: Array<{ status: string }>) => data.length === 4 && data.every((j) => j.status === 'succeeded'),
      );
      expect(jobs).toHaveLength(4);
      expect((await b.stripe.prices.list({ lookup_keys: ['pro-monthly'] })).data).toHaveLength(1);
    } finally {
      await started.server.close();
    }
  });

  it('on close, a running job finishes and is acked before the store closes', async () => {
    const { store, ids } = await enqueued('finish');
    b.em.setConditions({ latency: { ms: 400 } });
    const events = await closedWhileRunning(store, {});
    const again = await openStore({ url: `sqlite:${join(b.dir, 'finish', 'store.db')}` });
    try {
      const first = await again.jobs.get(ids[0]);
      expect(first).toMatchObject({ status: 'succeeded' });
      // Nothing left running, and nothing claimed after the stop began.
      expect((await again.billing.jobs({ status: 'running' })).length).toBe(0);
      expect(events.filter((e) => e.kind === 'started')).toHaveLength(1);
    } finally {
      await again.close();
    }
  });

  it('past the grace, a running job is left claimable; the next worker runs it without a duplicate', async () => {
    const { store, ids } = await enqueued('abandon');
    b.em.setConditions({ latency: { ms: 1200 } });
    await closedWhileRunning(store, { leaseMs: 300, stopGraceMs: 20 });
    const again = await openStore({ url: `sqlite:${join(b.dir, 'abandon', 'store.db')}` });
    const next = new BillingService({ store: again, env: b.env, leaseMs: 2000, idleMs: 20 });
    try {
      expect(await again.jobs.get(ids[0])).toMatchObject({ status: 'running' });
      b.em.setConditions({ latency: { ms: 0 } });
      const out = await next.settle(ids, ['my-billing']);
      expect(out.ok).toBe(true);
      expect((await b.stripe.products.list()).data).toHaveLength(1);
      expect((await b.stripe.prices.list({ limit: 100 })).data).toHaveLength(3);
    } finally {
      await next.close();
      await again.close();
    }
  });
});
