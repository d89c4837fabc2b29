import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { collect, runQuery } from '../../src/query/index.ts';
import { makeCustomers } from './fake.ts';

let emulator: Emulator;
const catalog = loadCatalog();
const customers = makeCustomers(2_000, 11);
const ctx = () => ({
  catalog,
  gateway: createGateway({
    apiKey: 'sk_test_123',
    baseUrl: emulator.url,
    throttle: { tps: 10_000, burst: 1000 },
  }),
});

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.load('customer', customers);
});
afterAll(() => emulator?.close());

describe('query against the emulator', () => {
  it('pushes email and created down as list parameters (one request)', async () => {
    emulator.clearRequests();
    const target = customers.find((c) => c.email)!;
    const rows = await collect(ctx(), {
      entity: 'Customer',
      filter: `email = '${target.email}' AND created >= ${target.created} AND balance > -999999`,
    });
    expect(rows.map((r) => r.id)).toEqual([target.id]);
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0].path).toBe('/v1/customers');
    expect(emulator.requests[0].query).toMatchObject({
      email: target.email,
      created: { gte: String(target.created) },
    });
  });

  it('LIMIT stops paging early and lowers the page size', async () => {
    emulator.clearRequests();
    expect(
      await collect(ctx(), { sql: 'SELECT id FROM Customer ORDER BY created DESC LIMIT 30' }),
    ).toHaveLength(30);
    expect(emulator.requests.map((r) => r.query.limit)).toEqual(['30']);
    emulator.clearRequests();
    expect(await collect(ctx(), { entity: 'Customer', limit: 250 })).toHaveLength(250);
    expect(emulator.requests).toHaveLength(3);
  });

  it('a sliced full scan is complete and newest-first when ordered', async () => {
    const rows = await collect(
      ctx(),
      { sql: 'SELECT id, created FROM Customer ORDER BY created DESC' },
      { concurrency: 6 },
    );
    expect(rows.map((r) => r.id)).toEqual([...customers].reverse().map((c) => c.id));
  });

  it('a column expanded for the WHERE clause comes out as without it (the id), over the wire', async () => {
    const owner = customers.find((c) => c.balance === customers[0].balance)!;
    emulator.load('payment_intent', [
      {
        id: 'pi_exp1',
        object: 'payment_intent',
        amount: 100,
        currency: 'usd',
        customer: owner.id,
        created: 1_700_000_000,
        metadata: {},
      },
    ]);
    emulator.clearRequests();
    const rows = await collect(ctx(), {
      sql: `SELECT id, customer FROM PaymentIntent WHERE customer.balance = ${owner.balance}`,
    });
    expect(rows).toEqual([{ id: 'pi_exp1', customer: owner.id }]);
    // The filter needed the expansion, and got it.
    expect(JSON.stringify(emulator.requests[0].query)).toContain('data.customer');
    const [star] = await collect(ctx(), {
      entity: 'PaymentIntent',
      filter: `customer.balance = ${owner.balance}`,
    });
    expect(star.customer).toBe(owner.id);
  });

  it('exports 200,000 rows with flat memory', async () => {
    const big = makeCustomers(200_000, 5, 1_600_000_000).map((c) => ({
      ...c,
      id: c.id.replace('cus_', 'cus_big'),
    }));
    // A separate account namespace keeps the other tests' data small.
    emulator.load('customer', big, { account: 'acct_big' });
    const gateway = createGateway({
      apiKey: 'sk_test_123',
      baseUrl: emulator.url,
      accountId: 'acct_big',
      throttle: { tps: 10_000, burst: 1000 },
    });
    // Retained heap (after a forced GC) at checkpoints: garbage the emulator and the sockets make
    // in this same process is not what we measure; rows kept alive would be.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const retained = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    let rows = 0;
    let atTenK = 0;
    let peak = 0;
    for await (const row of runQuery({ catalog, gateway }, { entity: 'Customer' }, { concurrency: 8 })) {
      rows++;
      void JSON.stringify(row); // an ndjson sink that discards
      if (rows === 10_000) atTenK = retained();
      if (rows % 50_000 === 0) peak = Math.max(peak, retained());
    }
    expect(rows).toBe(200_000);
    // Flat: 190k more rows leave at most a few MB more on the heap (one page is ~0.1 MB).
    expect(peak - atTenK).toBeLessThan(15e6);
  }, 120_000);
});
