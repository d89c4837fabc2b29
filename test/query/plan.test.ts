import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { bindExpr, makeBinder } from '../../src/query/fields.ts';
import { parseFilter } from '../../src/query/parse.ts';
import { compile } from '../../src/query/evaluate.ts';
import { toText } from '../../src/query/ast.ts';
import { collect, explain, planQuery, runQuery, SEARCH_RULE } from '../../src/query/index.ts';
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
    // SEARCH_RULE: by default a pushed-down equality beats search (search lags writes);
    // --search prefers search wherever it applies.
    expect(plan({ entity: 'Customer', filter: "email = 'a' AND name = 'x'" }).search).toBeUndefined();
    expect(plan({ entity: 'Customer', filter: "email = 'a' AND name = 'x'", allowSearch: true }).search).toBe(
      "email:'a' AND name:'x'",
    );
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

describe('issue 9: the plan only asks what Stripe accepts, within the request bound', () => {
  it('negative numbers are never sent to search (Stripe reads `-` as negation)', () => {
    const p = plan({
      entity: 'PaymentIntent',
      filter: "amount > -1 AND currency = 'usd'",
      allowSearch: true,
    });
    expect(p.search).toBe("currency:'usd'");
    expect(plan({ entity: 'PaymentIntent', filter: 'amount > -1' }).search).toBeUndefined();
    expect(plan({ entity: 'PaymentIntent', filter: 'amount > 1000' }).search).toBe('amount>1000');
    expect(plan({ entity: 'PaymentIntent', filter: 'amount != -5' }).search).toBeUndefined();
  });

  const size = (call: { path: string; params: Record<string, unknown> }) =>
    call.path.length + 1 + new URLSearchParams(flat(call.params)).toString().length;
  const flat = (params: Record<string, unknown>, prefix = ''): [string, string][] =>
    Object.entries(params).flatMap(([k, v]) => {
      const name = prefix ? `${prefix}[${k}]` : k;
      return v !== null && typeof v === 'object'
        ? flat(v as Record<string, unknown>, name)
        : [[name, String(v)] as [string, string]];
    });

  it('a 20,000-character value stays local; every call within 8 KB; explain says so', () => {
    const long = 'x'.repeat(20_000);
    const p = plan({ entity: 'Customer', filter: `email = '${long}' AND created > 5` });
    expect(p.scans).toHaveLength(1);
    expect(p.scans[0].call.params).toEqual({ created: { gt: 5 }, limit: 100 });
    expect(p.residual && toText(p.residual)).toContain(long);
    expect(p.notes.join('\n')).toMatch(/is not sent: the request would exceed 8192 bytes/);
    for (const filter of [`email = '${long}'`, `name = '${long}'`, `id = 'cus_${long}'`]) {
      const q = plan({ entity: 'Customer', filter });
      for (const s of q.scans) expect(size(s.call)).toBeLessThanOrEqual(8192);
      expect(q.scans[0].kind).toBe('list');
    }
  });

  it('a 500-term OR and a huge IN are evaluated locally, not sent', () => {
    const terms = Array.from({ length: 500 }, (_, i) => `email = 'user${i}@example.com'`).join(' OR ');
    const or = plan({ entity: 'Customer', filter: terms });
    expect(or.search).toBeUndefined();
    expect(or.scans).toEqual([
      { kind: 'list', call: { method: 'GET', path: '/v1/customers', params: { limit: 100 } } },
    ]);
    const ids = Array.from({ length: 5000 }, (_, i) => `'in_${i}'`).join(', ');
    const big = plan({
      entity: 'Invoice',
      filter: `status IN ('open', 'paid') AND subscription IN (${ids})`,
    });
    for (const s of big.scans) expect(size(s.call)).toBeLessThanOrEqual(8192);
  });

  it('event type IN: types[] up to 20 in one call, more split into calls of 20', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `'t.e${i}'`).join(', ');
    const few = plan({ entity: 'Event', filter: `type IN (${names(3)})` });
    expect(few.scans.map((s) => s.call.params)).toEqual([{ types: ['t.e0', 't.e1', 't.e2'], limit: 100 }]);
    expect(few.residual).toBeUndefined();
    const many = plan({ entity: 'Event', filter: `type IN (${names(45)})` });
    expect(many.scans.map((s) => (s.call.params.types as string[]).length)).toEqual([20, 20, 5]);
    expect(many.notes.join('\n')).toMatch(/type IN \(45 values\) is sent as 3 calls with types\[\]/);
  });

  it("event type: exact as type=x, a prefix LIKE as Stripe's wildcard, re-checked locally", () => {
    expect(plan({ entity: 'Event', filter: "type = 'invoice.paid'" }).scans[0].call.params).toEqual({
      type: 'invoice.paid',
      limit: 100,
    });
    const like = plan({ entity: 'Event', filter: "type LIKE 'invoice.%'" });
    expect(like.scans[0].call.params).toEqual({ type: 'invoice.*', limit: 100 });
    expect(like.residual).toBeUndefined();
    expect(like.recheck && toText(like.recheck)).toBe("type LIKE 'invoice.%'");
    // Not a prefix pattern, or case-insensitive: local.
    expect(plan({ entity: 'Event', filter: "type LIKE '%.paid'" }).scans[0].call.params).toEqual({
      limit: 100,
    });
    expect(plan({ entity: 'Event', filter: "type ILIKE 'invoice.%'" }).scans[0].call.params).toEqual({
      limit: 100,
    });
  });

  it('list parameters that are not object fields filter and push down', () => {
    expect(plan({ entity: 'Subscription', filter: "price = 'price_1'" }).scans[0].call.params).toEqual({
      price: 'price_1',
      status: 'all',
      limit: 100,
    });
    const bt = plan({ entity: 'BalanceTransaction', filter: "payout = 'po_1' AND type = 'charge'" });
    expect(bt.scans[0].call.params).toEqual({ payout: 'po_1', type: 'charge', limit: 100 });
    expect(bt.residual).toBeUndefined();
    expect(plan({ entity: 'Event', filter: 'delivery_success = false' }).scans[0].call.params).toEqual({
      delivery_success: false,
      limit: 100,
    });
    const e = (() => {
      try {
        plan({ entity: 'Subscription', filter: "price = 'price_1' OR status = 'active'" });
      } catch (error) {
        return error as { code: string; message: string };
      }
    })();
    expect(e?.code).toBe('QUERY_UNSUPPORTED');
    expect(e?.message).toMatch(/price is a parameter of the Subscription list/);
  });
});

describe('issue 10: the search rule and explain', () => {
  it('SEARCH_RULE is exported and is what the planner does', () => {
    expect(SEARCH_RULE).toMatch(/only where it replaces a full scan/);
    // default: search only where the alternative is a full scan
    expect(plan({ entity: 'Customer', filter: "metadata.plan = 'pro'" }).search).toBe(
      "metadata['plan']:'pro'",
    );
    expect(
      plan({ entity: 'Customer', filter: "metadata.plan = 'pro' AND created > 5" }).search,
    ).toBeUndefined();
    // --search: preferred wherever it applies
    expect(
      plan({ entity: 'Customer', filter: "metadata.plan = 'pro' AND created > 5", allowSearch: true }).search,
    ).toBe("metadata['plan']:'pro' AND created>5");
    // --no-search: never
    expect(
      plan({ entity: 'Customer', filter: "metadata.plan = 'pro'", allowSearch: false }).search,
    ).toBeUndefined();
  });

  it('explain names the search query as pushed down, with its caveat', () => {
    const x = explain(catalog, { entity: 'Customer', filter: "metadata['plan'] = 'pro'" });
    expect(x.pushedDown).toEqual([
      "Stripe search metadata['plan']:'pro' (Stripe search may lag writes by up to a minute)",
    ]);
    expect(x.calls[0]).toMatchObject({ kind: 'search', path: '/v1/customers/search' });
  });
});

describe('issue 9: an expansion made for the filter never changes the output', () => {
  const customers = [
    { id: 'cus_a', object: 'customer', created: 10, balance: 0, email: 'a@x' },
    { id: 'cus_b', object: 'customer', created: 11, balance: 5, email: 'b@x' },
  ];
  const intents = [
    { id: 'pi_1', object: 'payment_intent', created: 20, customer: 'cus_a', amount: 100 },
    { id: 'pi_2', object: 'payment_intent', created: 21, customer: 'cus_b', amount: 200 },
  ];
  const c = () => ({
    catalog,
    gateway: fakeGateway({ '/v1/customers': customers, '/v1/payment_intents': intents }),
  });

  it('SELECT id, customer … WHERE customer.balance = 0 outputs the id', async () => {
    const rows = await collect(c(), {
      sql: 'SELECT id, customer FROM PaymentIntent WHERE customer.balance = 0',
    });
    expect(rows).toEqual([{ id: 'pi_1', customer: 'cus_a' }]);
    const plain = await collect(c(), {
      sql: 'SELECT id, customer FROM PaymentIntent WHERE customer IS NOT NULL',
    });
    expect(plain.find((r) => r.id === 'pi_1')).toEqual({ id: 'pi_1', customer: 'cus_a' });
  });

  it('SELECT * and ORDER BY through an expansion keep the shape; a selected sub-field still reads it', async () => {
    const [star] = await collect(c(), { entity: 'PaymentIntent', filter: "customer.email = 'a@x'" });
    expect(star.customer).toBe('cus_a');
    const ordered = await collect(c(), {
      sql: 'SELECT id, customer FROM PaymentIntent ORDER BY customer.balance DESC',
    });
    expect(ordered).toEqual([
      { id: 'pi_2', customer: 'cus_b' },
      { id: 'pi_1', customer: 'cus_a' },
    ]);
    const sub = await collect(c(), {
      sql: 'SELECT id, customer.email FROM PaymentIntent WHERE customer.balance = 0',
    });
    expect(sub).toEqual([{ id: 'pi_1', 'customer.email': 'a@x' }]);
  });
});

describe('issue 10: progress without extra calls', () => {
  const customers = makeCustomers(1000, 3);

  it('every page reports requests made and rows fetched so far; the total where the plan knows it', async () => {
    const gateway = fakeGateway({ '/v1/customers': customers });
    const events: Array<{ requests: number; fetched: number; expectedRequests?: number }> = [];
    const rows = await collect(
      { catalog, gateway },
      { entity: 'Customer' },
      { concurrency: 4, onPage: (e) => events.push(e) },
    );
    expect(rows).toHaveLength(1000);
    const last = events[events.length - 1];
    // Slice probes count as requests; rows fetched are every row received.
    expect(Math.max(...events.map((e) => e.requests))).toBe(gateway.requests.length);
    expect(Math.max(...events.map((e) => e.fetched))).toBe(1000);
    expect(last.expectedRequests).toBeUndefined();

    const limited = fakeGateway({ '/v1/customers': customers });
    const seen: Array<{ requests: number; expectedRequests?: number }> = [];
    await collect(
      { catalog, gateway: limited },
      { entity: 'Customer', limit: 150 },
      { onPage: (e) => seen.push(e) },
    );
    expect(seen.map((e) => [e.requests, e.expectedRequests])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(limited.requests).toHaveLength(2);
  });
});

describe('ids that cannot name an object never become a path', () => {
  it.each(["id = '.'", "id = '..'", "id = ''"])('%s is not a retrieve of the list path', (filter) => {
    const p = plan({ entity: 'Customer', filter });
    expect(p.scans.map((s) => s.call.path)).toEqual(['/v1/customers']);
    expect(p.scans[0].kind).toBe('list');
    expect(p.residual && toText(p.residual)).toBe(filter);
  });

  it('the valid ids of an IN are retrieved, the rest match nothing', async () => {
    const p = plan({ entity: 'Customer', filter: "id IN ('cus_00000001', '..')" });
    expect(p.scans.map((s) => `${s.kind} ${s.call.path}`)).toEqual(['retrieve /v1/customers/cus_00000001']);
    const gateway = fakeGateway({ '/v1/customers': makeCustomers(3) });
    expect((await collect({ catalog, gateway }, p)).map((r) => r.id)).toEqual(['cus_00000001']);
  });
});

it("a parent id of '.' is refused, not resolved into another path", () => {
  expect(() => plan({ entity: 'TaxId', filter: "customer = '.'" })).toThrow(/'\.' cannot be an id/);
});

it('a parent id too long for any request is refused before a call', () => {
  const long = 'cus_' + 'x'.repeat(20_000);
  expect(() => plan({ entity: 'TaxId', filter: `customer = '${long}'` })).toThrow(/cannot be an id/);
});
