/** The gateway against the emulator: throttling, each retry path, idempotent creates under faults. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, randomSeed: 7 });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => emulator.setConditions({ rateLimit: undefined, faults: undefined }));

function gateway(
  key: string,
  throttle: Record<string, number> = {},
  timeoutMs?: number,
  backoff = { baseMs: 20, maxMs: 200 },
): Gateway {
  return createGateway(
    {
      apiKey: key,
      baseUrl: emulator.url,
      throttle: { tps: 500, burst: 50, maxRetries: 6, ...throttle },
      ...(timeoutMs ? { timeoutMs } : {}),
    },
    { backoff, logSink: () => {} },
  );
}

async function countCustomers(g: Gateway): Promise<number> {
  let n = 0;
  let after: string | undefined;
  for (;;) {
    const page = await g.request<{ data: Array<{ id: string }>; has_more: boolean }>({
      method: 'GET',
      path: '/v1/customers',
      params: { limit: 100, ...(after ? { starting_after: after } : {}) },
    });
    n += page.data.length;
    if (!page.has_more) return n;
    after = page.data[page.data.length - 1].id;
  }
}

describe('gateway against the emulator', () => {
  it('creates and reads back through the SDK client', async () => {
    const g = gateway('sk_test_emu_basic');
    const created = await g.request({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'jane@example.com', metadata: { a: '1' } },
    });
    expect(created.id).toMatch(/^cus_/);
    const got = await g.request({ method: 'GET', path: `/v1/customers/${created.id}` });
    expect(got).toMatchObject({ id: created.id, email: 'jane@example.com', metadata: { a: '1' } });
    await expect(g.request({ method: 'GET', path: '/v1/customers/cus_missing' })).rejects.toMatchObject({
      code: 'STRIPE_NOT_FOUND',
      stripe: { statusCode: 404 },
    });
    await g.close();
  });

  it('stays under the rate limit with the throttle: no 429 at 20/s against a 25/s limit', async () => {
    emulator.setConditions({ rateLimit: 25 });
    const g = gateway('sk_test_emu_throttle', { tps: 20, burst: 1 });
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, () =>
        Promise.all(
          Array.from({ length: 5 }, () =>
            g.request({ method: 'GET', path: '/v1/customers', params: { limit: 1 } }),
          ),
        ),
      ),
    );
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(g.stats).toMatchObject({ requests: 40, succeeded: 40, rateLimited: 0, retries: 0 });
    expect(g.stats!.throttledWaits).toBeGreaterThan(30);
    emulator.setConditions({ rateLimit: undefined });
    await g.close();
  });

  it('retries 429s when the limit is exceeded and loses nothing', async () => {
    emulator.setConditions({ rateLimit: 10 });
    // A one-second window: backoff must reach past it.
    const g = gateway('sk_test_emu_429', { tps: 1000, burst: 1000 }, undefined, { baseMs: 300, maxMs: 2000 });
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        g.request({ method: 'GET', path: '/v1/customers', params: { limit: 1 } }),
      ),
    );
    expect(results).toHaveLength(30);
    expect(g.stats!.rateLimited).toBeGreaterThan(0);
    expect(g.stats!.retriesByReason.rate_limit).toBe(g.stats!.rateLimited);
    expect(g.stats!.failed).toBe(0);
    emulator.setConditions({ rateLimit: undefined });
    await g.close();
  });

  it('retries 5xx, dropped connections and timeouts', async () => {
    for (const [faults, reason] of [
      [{ status: { 500: 0.5 } }, 'server_error'],
      [{ drop: 0.5 }, 'network'],
      [{ timeout: 0.3, timeoutMs: 5_000 }, 'timeout'],
    ] as const) {
      emulator.setConditions({ faults });
      const g = gateway(`sk_test_emu_${reason}`, {}, 300);
      await Promise.all(
        Array.from({ length: 10 }, () =>
          g.request({ method: 'GET', path: '/v1/customers', params: { limit: 1 } }),
        ),
      );
      expect(g.stats!.retriesByReason, JSON.stringify(faults)).toHaveProperty(reason);
      expect(g.stats!.failed).toBe(0);
      await g.close();
    }
    emulator.setConditions({ faults: undefined });
  });

  it('creates exactly once per logical create under faults, including answers lost after the write', async () => {
    const key = 'sk_test_emu_idem';
    const g = gateway(key, {}, 400);
    const before = await countCustomers(g);
    // `dropAfter`: the emulator creates the customer, then loses the answer. Only a retry that
    // carries the first attempt's idempotency key gets that customer back instead of a second one.
    emulator.setConditions({
      faults: {
        status: { 500: 0.04, 503: 0.02 },
        drop: 0.02,
        dropAfter: 0.1,
        timeout: 0.02,
        timeoutMs: 2_000,
      },
    });
    const N = 120;
    const ids = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        g
          .request({ method: 'POST', path: '/v1/customers', params: { name: `c${i}` } })
          .then((c) => c.id as string),
      ),
    );
    emulator.setConditions({ faults: undefined });
    expect(new Set(ids).size).toBe(N);
    expect(g.stats!.retries).toBeGreaterThan(0);
    const lostAfterWrite = emulator.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/customers' && r.status === -2,
    );
    expect(lostAfterWrite.length).toBeGreaterThan(0);
    expect((await countCustomers(g)) - before).toBe(N);
    // Every attempt of one logical create carried the same key.
    const keys = emulator.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/customers' && r.idempotencyKey?.startsWith('sc-'),
    );
    expect(new Set(keys.map((r) => r.idempotencyKey)).size).toBeGreaterThanOrEqual(N);
    await g.close();
  });
});
