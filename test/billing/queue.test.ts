/** The billing queue: order and one at a time per integration, retries then blocked, retry after a fix, crash and resume. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BillingService, WorkerEvent } from '../../src/billing/index.ts';
import { openStore } from '../../src/store/index.ts';
import { bench, ref, type Bench } from './support.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/plans.yaml', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/apply-child.ts', import.meta.url));
let b: Bench;
let billing: BillingService;
const events: WorkerEvent[] = [];
beforeEach(async () => {
  b = await bench();
  events.length = 0;
  billing = b.service({ onEvent: (e) => events.push(e) });
  await billing.addIntegration({ title: 'My Billing', publishableKey: ref('PK'), secretKey: ref('SK') });
  await billing.addCatalog('sandbox', 'sandbox');
  await billing.attach('sandbox', 'my-billing');
});
afterEach(() => b?.close());

describe('the billing queue', () => {
  it('runs jobs in creation order, one at a time per integration; --no-wait only enqueues', async () => {
    const queued = await billing.apply({ catalog: 'sandbox', file: EXAMPLE, wait: false });
    expect(queued.ok).toBe(false);
    expect(queued.integrations[0].jobs!.map((j) => j.status)).toEqual([
      'queued',
      'queued',
      'queued',
      'queued',
    ]);
    expect((await b.stripe.products.list()).data).toEqual([]);
    // Two workers at once (as two server nodes): still one job at a time, in order.
    const w1 = billing.worker();
    const w2 = b.service({ onEvent: (e) => events.push(e) }).worker();
    while ((await billing.jobs({ status: 'queued' })).length) await Promise.all([w1.runOnce(), w2.runOnce()]);
    const order = events
      .filter((e) => e.kind === 'started' || e.kind === 'succeeded')
      .map((e) => `${e.kind}:${(e as any).job.id}`);
    const ids = queued.integrations[0].jobs!.map((j) => j.id);
    expect(order).toEqual(ids.flatMap((id) => [`started:${id}`, `succeeded:${id}`]));
  });

  it('a failing job is retried with backoff, then blocked, holding its queue; retried after the fault is fixed, the queue carries on', async () => {
    await billing.apply({ catalog: 'sandbox', file: EXAMPLE, wait: false });
    const sk = b.env.SK;
    delete b.env.SK; // the key's variable went missing: every attempt fails
    const out = await billing.settle(
      (await billing.jobs()).map((j) => j.id),
      ['my-billing'],
    );
    expect(out.ok).toBe(false);
    // The CLI's wait ends at the first failure; a worker keeps going until the job is blocked.
    expect(out.jobs[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      problem: 'SECRET_UNRESOLVED: secretKey: environment variable SK is not set',
    });
    const worker = billing.worker();
    await worker.start();
    await expect
      .poll(async () => (await billing.jobs({ status: 'blocked' })).length, { timeout: 5000 })
      .toBe(1);
    await worker.stop();
    const [blocked] = await billing.jobs({ status: 'blocked' });
    expect([blocked.kind, blocked.attempts, blocked.maxAttempts]).toEqual(['product.create', 3, 3]);
    const detail = await billing.job(blocked.id);
    expect(detail.attemptLog!.map((a) => a.outcome)).toEqual(['failed', 'failed', 'dead']);
    expect((await billing.jobs({ status: 'queued' })).length).toBe(3); // held behind it
    expect((await billing.integration('my-billing')).queue).toMatchObject({
      blocked: 1,
      queued: 3,
      lastProblem: { job: blocked.id },
    });

    b.env.SK = sk;
    const retried = await billing.retryJob(blocked.id);
    expect(retried.jobs[0].status).toBe('succeeded');
    const rest = await billing.settle(
      (await billing.jobs({ status: 'queued' })).map((j) => j.id),
      ['my-billing'],
    );
    expect(rest.ok).toBe(true);
    expect((await b.stripe.prices.list()).data).toHaveLength(3);
  });

  it('a 5xx storm blocks a job; a discarded job frees its queue', async () => {
    b.em.setConditions({ faults: { status: { 500: 1 } } });
    const planned = billing.apply({ catalog: 'sandbox', file: EXAMPLE, wait: false });
    await expect(planned).rejects.toMatchObject({ code: 'STRIPE_API_ERROR' }); // reading Stripe's state fails first
    b.em.setConditions({ faults: {} });
    await billing.apply({ catalog: 'sandbox', file: EXAMPLE, wait: false });
    b.em.setConditions({ faults: { status: { 500: 1 } } });
    const worker = billing.worker();
    await worker.start();
    await expect
      .poll(async () => (await billing.jobs({ status: 'blocked' })).length, { timeout: 10_000 })
      .toBe(1);
    await worker.stop();
    b.em.setConditions({ faults: {} });
    const [blocked] = await billing.jobs({ status: 'blocked' });
    expect(blocked.problem).toMatch(/^STRIPE_API_ERROR: /);
    expect((await billing.discardJob(blocked.id)).status).toBe('discarded');
    // No longer held: the next job runs.
    const next = await billing.settle([(await billing.jobs({ status: 'queued' }))[0].id], ['my-billing']);
    expect(next.jobs[0].attempts).toBe(1);
  });

  it('an apply killed mid-way (kill -9, after Stripe made a price, before the ack) resumes without duplicates', async () => {
    const file = join(b.dir, 'store.db');
    await b.store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, EXAMPLE], {
      env: { ...process.env, ...b.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('landed')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
    );
    expect(out).toBe('landed\n');
    const store = await openStore({ url: `sqlite:${file}` });
    (b as { store: typeof store }).store = store;
    const resumed = b.service({ store });
    expect((await resumed.jobs({ status: 'running' })).map((j) => j.kind)).toEqual(['price.create']);
    expect((await b.stripe.prices.list({ limit: 100 })).data).toHaveLength(2);
    const again = await resumed.apply({ catalog: 'sandbox', file: EXAMPLE });
    expect(again.ok).toBe(true);
    const prices = (await b.stripe.prices.list({ limit: 100 })).data;
    expect(prices.map((p) => p.lookup_key).sort()).toEqual(['api-calls', 'pro-monthly', 'pro-yearly']);
    expect((await b.stripe.products.list()).data).toHaveLength(1);
    expect((await resumed.jobs()).every((j) => j.status === 'succeeded')).toBe(true);
    expect((await resumed.apply({ catalog: 'sandbox', file: EXAMPLE })).integrations[0].changes).toEqual([]);
  }, 60_000);
});
