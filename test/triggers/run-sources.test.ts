/**
 * Stopping the pollers while a poll is in flight: the abort reaches the Events-API walk (the
 * gateway's call in flight gives up waiting) and the loop does not then sleep its interval before
 * it ends, so a stop (a server's restart of its runner, a SIGTERM) takes milliseconds, not up to
 * the trigger's interval (120 s by default).
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { openStore } from '../../src/store/index.ts';
import { pollService, sourceLease } from '../../src/triggers/run-sources.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { sleepUnless } from '../../src/lifecycle.ts';
import { storePorts } from '../../src/triggers/store/ports.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A "Stripe" that takes every request and never answers it. */
async function silentStripe() {
  const requests: string[] = [];
  const server = createServer((req) => void requests.push(req.url ?? ''));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests };
}

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p.then(() => 'done' as const), new Promise<'late'>((r) => setTimeout(() => r('late'), ms))]);

describe('sleepUnless', () => {
  it('resolves at once for a signal aborted before the call', async () => {
    const stopped = new AbortController();
    stopped.abort();
    expect(await within(200, sleepUnless(60_000, stopped.signal))).toBe('done');
  });

  it('resolves on an abort during the sleep, and after ms without one', async () => {
    const stop = new AbortController();
    const sleeping = sleepUnless(60_000, stop.signal);
    stop.abort();
    expect(await within(200, sleeping)).toBe('done');
    expect(await within(500, sleepUnless(10, new AbortController().signal))).toBe('done');
  });
});

describe('pollService stop', () => {
  it('ends promptly while an events poll waits for Stripe, and gives the source lease back', async () => {
    const stripe = await silentStripe();
    const catalog = loadCatalog();
    const gateway = createGateway(
      { apiKey: 'sk_test_1', baseUrl: stripe.url, apiVersion: catalog.apiVersion },
      { logThrownErrors: false },
    );
    cleanups.push(() => gateway.close());
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'poll-stop-')) });
    cleanups.push(() => store.close());
    await new TriggerService(store, catalog).add({
      name: 'slow',
      preset: 'customer-added',
      source: 'events',
      interval: '60s',
      sink: 'file:/dev/null',
    });
    const worker = 'test/1/aa';
    const ports = storePorts({ store, worker });
    cleanups.push(() => ports.close());
    const logs: string[] = [];
    const sources = pollService({
      store,
      ctx: { catalog, gateway },
      ports,
      worker,
      triggers: await new TriggerService(store).definitions(),
      wake: () => {},
      log: (l) => logs.push(l),
    });
    await sources.start();
    while (!stripe.requests.length) await new Promise((r) => setTimeout(r, 10));
    expect(stripe.requests[0]).toMatch(/^\/v1\/events\?/);
    expect(await within(2_000, sources.stop())).toBe('done');
    // Given back (expired in place, its epoch kept): another poller takes it at once.
    expect(await store.leases.acquire(sourceLease('slow'), 'another', 1000)).toMatchObject({
      holder: 'another',
    });
    // The abort is a stop, not a failure to report.
    expect(logs.join('\n')).not.toMatch(/poll failed/);
  });
});
