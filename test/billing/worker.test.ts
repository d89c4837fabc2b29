/** The billing worker as a lifecycle Service: it works off what others enqueue, and stop drains the job in flight. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingService } from '../../src/billing/index.ts';
import { runUntilSignal } from '../../src/lifecycle.ts';
import { benchWithIntegration, type Bench } from './support.ts';

const EXAMPLE = new URL('../../examples/plans.yaml', import.meta.url).pathname;
let b: Bench;
let billing: BillingService;
beforeAll(async () => {
  ({ b, billing } = await benchWithIntegration());
});
afterAll(() => b?.close());

describe('the billing worker service', () => {
  it('runs under the lifecycle, works off jobs enqueued with wait: false, and drains the job in flight on stop', async () => {
    const stop = new AbortController();
    const running = runUntilSignal([billing.worker()], { signal: stop.signal, signals: [] });
    const queued = await billing.apply({ catalog: 'sandbox', file: EXAMPLE, wait: false });
    const ids = queued.integrations[0].jobs!.map((j) => j.id);
    await expect
      .poll(async () => (await billing.jobs({ status: 'succeeded' })).length, { timeout: 5000 })
      .toBe(ids.length);

    b.em.setConditions({ latency: { ms: 300 } });
    await billing.subscribe({
      integration: 'my-billing',
      plan: 'pro-monthly',
      consumer: 'w-1',
      card: 'pm_card_visa',
      wait: false,
    });
    await expect
      .poll(async () => (await billing.jobs({ status: 'running' })).length, { timeout: 5000 })
      .toBe(1);
    stop.abort();
    await running;
    b.em.setConditions({ latency: { ms: 0 } });
    // The job that was running finished (not left leased to a stopped worker); the rest wait.
    const states = (await billing.jobs({ integration: 'my-billing' })).slice(ids.length).map((j) => j.status);
    expect(states[0]).toBe('succeeded');
    expect(states).not.toContain('running');
    expect(states.at(-1)).toBe('queued');
  });
});
