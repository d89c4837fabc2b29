/**
 * The shared budget on a real PostgreSQL: two budget stores (two pools, as two nodes would have)
 * on one key hand out at most the budget between them, callers wait instead of failing, a process's
 * callers are served in arrival order, a 429 pause reaches the other node, and both limits hold.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedBudget } from '../../src/gateway/budget-shared.ts';
import { openBudgetStore, type BudgetStore } from '../../src/gateway/budget-store.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { maxInWindow } from '../cluster/support/cluster.ts';
import { dropSchemas, freshSchemaUrl, pgSkipReason } from '../support/pg.ts';
import { expectConnectorError } from '../support/errors.ts';

const skipReason = await pgSkipReason();
if (skipReason) console.warn(`budget-shared.test.ts skipped: ${skipReason}`);

const stores: BudgetStore[] = [];
function twoNodes(): [BudgetStore, BudgetStore] {
  const url = freshSchemaUrl('budget');
  const pair: [BudgetStore, BudgetStore] = [openBudgetStore(url), openBudgetStore(url)];
  stores.push(...pair);
  return pair;
}
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await dropSchemas();
});

/** `callers` loops on `budget` until `ms` passed; the grant times. */
async function hammer(
  budget: ReturnType<typeof sharedBudget>,
  callers: number,
  ms: number,
): Promise<number[]> {
  const times: number[] = [];
  const signal = AbortSignal.timeout(ms);
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (!signal.aborted) {
        const granted = await budget.acquire(signal).then(
          () => true,
          () => false,
        );
        if (granted) times.push(Date.now());
      }
    }),
  );
  return times;
}

describe.skipIf(skipReason !== undefined)(
  `shared budget${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('two nodes share 20/s: never more than the budget plus its burst in any second, and close to it', async () => {
      const [a, b] = twoNodes();
      const limits = [{ limit: 20, intervalMs: 1000, burst: 2 }];
      const times = (
        await Promise.all([
          hammer(sharedBudget(a, 'k', limits), 8, 3000),
          hammer(sharedBudget(b, 'k', limits), 8, 3000),
        ])
      ).flat();
      expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(22);
      const span = (Math.max(...times) - Math.min(...times)) / 1000;
      expect(times.length / span).toBeGreaterThan(0.8 * 20);
    });

    it('serves one process in arrival order', async () => {
      const [a] = twoNodes();
      const budget = sharedBudget(a, 'fifo', [{ limit: 10, intervalMs: 1000, burst: 1 }]);
      const order: number[] = [];
      await Promise.all(Array.from({ length: 6 }, (_, i) => budget.acquire().then(() => order.push(i))));
      expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('a pause (429 Retry-After) on one node holds the other', async () => {
      const [a, b] = twoNodes();
      const limits = [{ limit: 50, intervalMs: 1000, burst: 5 }];
      const other = sharedBudget(b, 'p', limits);
      await other.acquire();
      await sharedBudget(a, 'p', limits).pause(700);
      const started = Date.now();
      await other.acquire();
      expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    });

    it('both limits hold: 20/s and 5 per 2 s', async () => {
      const [a, b] = twoNodes();
      const limits = [
        { limit: 20, intervalMs: 1000, burst: 2 },
        { limit: 5, intervalMs: 2000, burst: 5 },
      ];
      const times = (
        await Promise.all([
          hammer(sharedBudget(a, 'two', limits), 3, 3000),
          hammer(sharedBudget(b, 'two', limits), 3, 3000),
        ])
      ).flat();
      // Two windows of the long limit fit in 3 s (it starts at the first call): at most 10, not 60.
      expect(times.length).toBeLessThanOrEqual(10);
      expect(maxInWindow(times, 2000)).toBeLessThanOrEqual(5 + 5);
      expect(times.length).toBeGreaterThanOrEqual(5);
    });

    it('through the gateway: a 429 with Retry-After on one node pauses the other node too', async () => {
      const [a, b] = twoNodes();
      const arrivals: number[] = [];
      const server = createServer((req, res) => {
        arrivals.push(Date.now());
        res.setHeader('content-type', 'application/json');
        if (arrivals.length === 1) {
          res.writeHead(429, { 'retry-after': '1' });
          return res.end(
            JSON.stringify({ error: { type: 'invalid_request_error', message: 'Too many requests' } }),
          );
        }
        res.end(JSON.stringify({ object: 'balance', available: [] }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const options = {
        apiKey: 'sk_test_123',
        baseUrl,
        logging: { enabled: false },
        throttle: { tps: 50, shared: true },
      };
      const nodeA = createGateway(options, { budgetStore: a, logThrownErrors: false });
      const nodeB = createGateway(options, { budgetStore: b, logThrownErrors: false });
      try {
        const first = nodeA.request({ method: 'GET', path: '/v1/balance' });
        while (arrivals.length < 1) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 100)); // A has its 429 and paused the budget
        await nodeB.request({ method: 'GET', path: '/v1/balance' });
        await first;
        // B's call (and A's retry) waited out the pause A was told about.
        expect(arrivals).toHaveLength(3);
        expect(Math.min(arrivals[1]!, arrivals[2]!) - arrivals[0]!).toBeGreaterThanOrEqual(950);
        expect(nodeA.budget?.info).toMatchObject({ shared: true, key: 'default' });
      } finally {
        await nodeA.close();
        await nodeB.close();
        server.close();
      }
    });

    it('an aborted waiter leaves at once and takes no slot', async () => {
      const [a] = twoNodes();
      const budget = sharedBudget(a, 'abort', [{ limit: 1, intervalMs: 2000, burst: 1 }]);
      await budget.acquire();
      const controller = new AbortController();
      const waiting = budget.acquire(controller.signal);
      setTimeout(() => controller.abort(new Error('gave up')), 100);
      const started = Date.now();
      await expect(waiting).rejects.toThrow('gave up');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(budget.stats.acquired).toBe(1);
    });
  },
);

describe('shared budget settings', () => {
  it('throttle.shared without a PostgreSQL store is refused, saying where to give one', () => {
    const saved = process.env.STRIPE_CONNECTOR_STORE;
    delete process.env.STRIPE_CONNECTOR_STORE;
    try {
      const err = expectConnectorError(
        () => createGateway({ apiKey: 'sk_test_123', throttle: { shared: true } }),
        'CONNECTION_INVALID',
      );
      expect(err.message).toMatch(/--store postgres:\/\/.*STRIPE_CONNECTOR_STORE/);
      expectConnectorError(() => openBudgetStore('sqlite:./x.db'), 'INVALID_VALUE');
    } finally {
      if (saved !== undefined) process.env.STRIPE_CONNECTOR_STORE = saved;
    }
  });
});
