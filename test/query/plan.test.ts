import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { bindExpr, makeBinder } from '../../src/query/fields.ts';
import { parseFilter } from '../../src/query/parse.ts';
import { compile } from '../../src/query/evaluate.ts';
import { collect, explain, planQuery, runQuery } from '../../src/query/index.ts';
import { fakeGateway, makeCustomers } from './fake.ts';

const catalog = loadCatalog();
const customer = catalog.entity('Customer');
const plan = (input: Parameters<typeof planQuery>[1]) => planQuery(catalog, input);

describe('planner: pushdown decisions', () => {
  it('email and created ranges go to the list call; the rest is residual', () => {
    const p = plan({
      entity: 'Customer',
      filter:
        "email = 'a@b.c' AND created >= '2024-01-01' AND created < 1735689600 AND (name IS NULL OR balance > 5)",
    });
    expect(p.scans).toEqual([
      {
        kind: 'list',
        call: {
          method: 'GET',
          path: '/v1/customers',
          params: { email: 'a@b.c', created: { gte: 1704067200, lt: 1735689600 }, limit: 100 },
        },
      },
    ]);
    expect(
      explain(catalog, { entity: 'Customer', filter: "email = 'a@b.c' AND (name IS NULL OR balance > 5)" })
        .residual,
    ).toBe('name IS NULL OR balance > 5');
  });

  it('status/customer on invoices, enum params, small IN fans out, OR stays local', () => {
    const p = plan({ entity: 'Invoice', filter: "customer = 'cus_1' AND status IN ('open', 'paid')" });
    expect(p.scans.map((s) => s.call.params)).toEqual([
      { customer: 'cus_1', status: 'open', limit: 100 },
      { customer: 'cus_1', status: 'paid', limit: 100 },
    ]);
    expect(p.residual).toBeUndefined();
    const o = plan({
      entity: 'Invoice',
      filter: "status = 'open' OR customer = 'cus_1'",
      allowSearch: false,
    });
    expect(o.scans[0].call.params).toEqual({ limit: 100 });
    expect(o.residual?.kind).toBe('or');
  });

  it('parent ids fill the path; a missing parent is a clear error', () => {
    expect(plan({ entity: 'TaxId', filter: "customer = 'cus_1'" }).scans[0].call.path).toBe(
      '/v1/customers/cus_1/tax_ids',
    );
    expect(plan({ entity: 'Item', filter: "quote = 'qt_1'" }).scans[0].call.path).toBe(
      '/v1/quotes/qt_1/line_items',
    );
    expect(() => plan({ entity: 'TaxId' })).toThrow(/customer = '<id>'/);
  });

  it('id = … retrieves; search only when allowed or instead of a full scan', () => {
    const r = plan({ entity: 'Customer', filter: "id IN ('cus_1', 'cus_2') AND name = 'x'" });
    expect(r.scans.map((s) => `${s.kind} ${s.call.path}`)).toEqual([
      'retrieve /v1/customers/cus_1',
      'retrieve /v1/customers/cus_2',
    ]);
    const auto = plan({ entity: 'Customer', filter: "name = 'x' AND metadata.plan = 'pro'" });
    expect(auto.search).toBe("name:'x' AND metadata['plan']:'pro'");
    expect(plan({ entity: 'Customer', filter: "name = 'x'", allowSearch: false }).search).toBeUndefined();
    // A pushed-down equality beats search even when search is allowed (search lags writes).
    expect(
      plan({ entity: 'Customer', filter: "email = 'a' AND name = 'x'", allowSearch: true }).search,
    ).toBeUndefined();
    expect(
      plan({ entity: 'Customer', filter: "created > 5 AND name LIKE '%ohn%'", allowSearch: true }).search,
    ).toBe("created>5 AND name~'ohn'");
  });

  it('order and limit handling', () => {
    expect(plan({ sql: 'SELECT * FROM Customer ORDER BY created DESC LIMIT 5' })).toMatchObject({
      orderMode: 'native',
      pageSize: 5,
    });
    expect(plan({ sql: 'SELECT * FROM Customer ORDER BY email LIMIT 5 OFFSET 2' })).toMatchObject({
      orderMode: 'topk',
      pageSize: 100,
    });
    expect(plan({ sql: 'SELECT * FROM Customer ORDER BY email' }).orderMode).toBe('buffer');
    expect(plan({ sql: 'SELECT COUNT(*) FROM Customer' }).count).toBe(true);
    expect(plan({ entity: 'Subscription' }).scans[0].call.params.status).toBe('all');
    expect(explain(catalog, { sql: 'SELECT id FROM Customer LIMIT 250' }).estimatedPages).toBe(3);
  });
});

describe('executor (in-memory Stripe)', () => {
  const customers = makeCustomers(1000, 7);
  const ctx = () => {
    const gateway = fakeGateway({ '/v1/customers': customers });
    return { ctx: { catalog, gateway }, gateway };
  };

  it('LIMIT stops paging as soon as it is met', async () => {
    const { ctx: c, gateway } = ctx();
    const rows = await collect(c, { entity: 'Customer', limit: 150 });
    expect(rows).toHaveLength(150);
    expect(gateway.requests).toHaveLength(2);
    gateway.requests.length = 0;
    const few = await collect(c, { entity: 'Customer', limit: 5 });
    expect(few).toHaveLength(5);
    expect(gateway.requests.map((r) => r.params?.limit)).toEqual([5]);
    gateway.requests.length = 0;
    // With a residual the page stays full, and paging stops once 3 matches are found.
    const it = runQuery(c, { entity: 'Customer', filter: 'delinquent = true', limit: 3 });
    let n = 0;
    for await (const _ of it) n++;
    expect(n).toBe(3);
    expect(gateway.requests).toHaveLength(1);
  });

  it('ORDER BY, OFFSET, projection, COUNT', async () => {
    const { ctx: c } = ctx();
    const top = await collect(c, {
      sql: 'SELECT id, balance FROM Customer ORDER BY balance DESC LIMIT 3 OFFSET 1',
    });
    const sorted = [...customers].sort((a, b) => b.balance - a.balance);
    expect(top).toEqual(sorted.slice(1, 4).map((x) => ({ id: x.id, balance: x.balance })));
    const all = await collect(
      c,
      { sql: 'SELECT id FROM Customer ORDER BY created DESC' },
      { concurrency: 4 },
    );
    expect(all.map((r) => r.id)).toEqual([...customers].reverse().map((x) => x.id));
    const [count] = await collect(c, { sql: "SELECT COUNT(*) FROM Customer WHERE address.country = 'DE'" });
    expect(count.count).toBe(customers.filter((x) => x.address?.country === 'DE').length);
    await expect(collect(c, { sql: 'SELECT * FROM Customer ORDER BY email', maxBuffer: 10 })).rejects.toThrow(
      /LIMIT/,
    );
  });

  it('a sliced full scan returns every row once, ordered or not, with bounded concurrency', async () => {
    const { ctx: c, gateway } = ctx();
    const stats = { probes: 0, slices: 0 };
    const rows = await collect(c, { entity: 'Customer' }, { concurrency: 4, stats });
    expect(new Set(rows.map((r) => r.id)).size).toBe(customers.length);
    expect(rows).toHaveLength(customers.length);
    expect(stats.slices).toBeGreaterThan(4);
    expect(gateway.requests.length).toBeLessThan(10 + stats.probes + stats.slices + 1);
  });

  it('property: the pushed-down plan returns exactly what local evaluation of the whole data set returns', async () => {
    const { ctx: c } = ctx();
    const day = 86400;
    const t0 = customers[0].created;
    const leaf = fc.oneof(
      fc.constantFrom(
        "email = 'user3@example.com'",
        "email = 'user10@test.org'",
        "email LIKE '%example.com'",
      ),
      fc
        .integer({ min: 0, max: 365 })
        .chain((d) =>
          fc.constantFrom('>', '>=', '<', '<=', '=').map((op) => `created ${op} ${t0 + d * day}`),
        ),
      fc.integer({ min: -2000, max: 8000 }).map((n) => `balance > ${n}`),
      fc.constantFrom(
        'name IS NULL',
        "name = 'User 3'",
        "address.country IN ('DE', 'US')",
        'currency IS NOT NULL',
      ),
      fc.constantFrom("metadata.plan = 'pro'", 'delinquent = true', "id IN ('cus_00000003', 'cus_00000500')"),
      fc.constantFrom(
        "preferred_locales = 'de'",
        "name NOT IN ('User 1', 'User 2')",
        "email != 'user5@example.com'",
      ),
    );
    const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} AND ${b})`),
        fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a} OR ${b})`),
        tie('node').map((a) => `NOT (${a})`),
      ),
    })).node as fc.Arbitrary<string>;
    const filter = fc.array(expr, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' AND '));
    await fc.assert(
      fc.asyncProperty(filter, fc.boolean(), async (text, allowSearch) => {
        const p = planQuery(catalog, { entity: 'Customer', filter: text, allowSearch });
        const local = compile(bindExpr(makeBinder(catalog, customer, text), parseFilter(text)).expr);
        const expected = customers
          .filter((x) => local(x) === true)
          .map((x) => x.id)
          .sort();
        const got = (await collect(c, p, { concurrency: 3 })).map((r) => r.id as string).sort();
        expect(got).toEqual(expected);
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});

describe('planner: limits', () => {
  it('refuses a negative or fractional offset, naming it', () => {
    for (const offset of [-1, 1.5]) {
      let error: any;
      try {
        plan({ entity: 'Customer', offset });
      } catch (e) {
        error = e;
      }
      expect(error?.code).toBe('INVALID_VALUE');
      expect(error?.details).toMatchObject({ field: 'offset' });
    }
  });
});
