import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { ConnectorError } from '../../src/errors.ts';
import { compile } from '../../src/query/evaluate.ts';
import { bindExpr, makeBinder } from '../../src/query/fields.ts';
import { parseFilter } from '../../src/query/parse.ts';

const catalog = loadCatalog();
const customer = catalog.entity('Customer');

function truth(filter: string, row: unknown, entity = customer) {
  const bound = bindExpr(makeBinder(catalog, entity, filter), parseFilter(filter)).expr;
  return compile(bound)(row);
}

const jane = {
  id: 'cus_1',
  email: 'jane@example.com',
  name: null,
  balance: 1500,
  created: 1704067200,
  delinquent: false,
  address: { city: 'Berlin', country: 'DE' },
  metadata: { plan: 'pro' },
  preferred_locales: ['en', 'de'],
  test_clock: { id: 'clock_1', object: 'test_helpers.test_clock' },
};

describe('evaluate: every operator, with NULLs and types (three-valued)', () => {
  it.each([
    ["email = 'jane@example.com'", true],
    ["email = 'JANE@example.com'", false],
    ["email != 'x'", true],
    ["email <> 'jane@example.com'", false],
    ["name = 'x'", null],
    ["name != 'x'", null],
    ['name IS NULL', true],
    ['name IS NOT NULL', false],
    ['email IS NULL', false],
    ['phone IS NULL', true],
    ['balance > 1000', true],
    ["balance > '1000'", true],
    ['balance >= 1500', true],
    ['balance < 1500', false],
    ['balance <= 1500', true],
    ['balance > 900', true],
    ['balance = 1500.0', true],
    ["created = '2024-01-01'", true],
    ["created >= '2024-01-01T00:00:01Z'", false],
    ['created < 1704067201', true],
    ['delinquent = false', true],
    ["delinquent = 'true'", false],
    ["email LIKE 'jane@%'", true],
    ["email LIKE 'JANE@%'", false],
    ["email ILIKE 'JANE@%'", true],
    ["email LIKE 'jan_@example.com'", true],
    ["email NOT LIKE '%@example.com'", false],
    ["name LIKE '%'", null],
    ["name NOT LIKE '%'", null],
    ["email IN ('a', 'jane@example.com')", true],
    ["email IN ('a', 'b')", false],
    ["email IN ('a', NULL)", null],
    ["email NOT IN ('a', NULL)", null],
    ["email NOT IN ('a', 'b')", true],
    ["name IN ('a')", null],
    ["address.country = 'DE'", true],
    ["address.state = 'x'", null],
    ["metadata.plan = 'pro'", true],
    ["metadata.missing = 'x'", null],
    ['metadata.missing IS NULL', true],
    ["preferred_locales = 'de'", true],
    ["preferred_locales != 'de'", false],
    ["preferred_locales IN ('fr')", false],
    ["test_clock = 'clock_1'", true],
    ["name = 'x' OR balance > 0", true],
    ["name = 'x' OR balance < 0", null],
    ["name = 'x' AND balance < 0", false],
    ["name = 'x' AND balance > 0", null],
    ["NOT name = 'x'", null],
    ['NOT balance < 0', true],
    ['email = NULL', null],
  ])('%s → %s', (filter, expected) => {
    expect(truth(filter, jane)).toBe(expected);
  });

  it('empty array is not NULL', () => {
    expect(truth('preferred_locales IS NULL', { ...jane, preferred_locales: [] })).toBe(false);
  });
});

describe('fields: validation and coercion', () => {
  const error = (filter: string, entity = customer) => {
    try {
      bindExpr(makeBinder(catalog, entity, filter), parseFilter(filter));
    } catch (e) {
      return e as ConnectorError;
    }
    throw new Error('expected an error');
  };
  it('unknown fields name the closest one and the position', () => {
    const e = error("name = 'x' AND emial = 'x'");
    expect(e.code).toBe('UNKNOWN_FIELD');
    expect(e.message).toMatch(/did you mean "email"/);
    expect(e.details.position).toBe(15);
    expect(error("address.cty = 'x'").message).toMatch(/address.city/);
    expect(error("customer_mail = 'x'", catalog.entity('Invoice')).message).toMatch(/customer_email/);
  });
  it('case-insensitive names, metadata keys kept as written', () => {
    const b = bindExpr(
      makeBinder(catalog, customer, ''),
      parseFilter("Email = 'x' AND metadata.Plan = 'y'"),
    ).expr;
    expect(b && b.kind === 'and' && b.items.map((i) => ('field' in i ? i.field : ''))).toEqual([
      'email',
      'metadata.Plan',
    ]);
  });
  it('checks values: enums, integers, timestamps, booleans, objects', () => {
    const invoice = catalog.entity('Invoice');
    expect(error("status = 'bogus'", invoice).message).toMatch(/"draft", "open", "paid"/);
    expect(error('balance = 1.5').code).toBe('INVALID_VALUE');
    expect(error("balance = 'abc'").code).toBe('INVALID_VALUE');
    expect(error("created > 'yesterday'").message).toMatch(/timestamp/);
    expect(error("delinquent = 'maybe'").code).toBe('INVALID_VALUE');
    expect(error("address = 'x'").message).toMatch(/object/);
    expect(error("balance LIKE '1%'").code).toBe('INVALID_VALUE');
  });
  it('timestamps from ISO dates or Unix seconds', () => {
    const created = (filter: string) => {
      const e = bindExpr(makeBinder(catalog, customer, filter), parseFilter(filter)).expr;
      return e && e.kind === 'compare' ? e.value : undefined;
    };
    expect(created("created > '2024-01-01'")).toBe(1704067200);
    expect(created("created > '2024-02-29T00:00:10Z'")).toBe(1709164810);
    expect(created("created > '1704067200'")).toBe(1704067200);
    expect(created('created > 1704067200')).toBe(1704067200);
  });
  it.each([
    ["created > '2024-02-30'", 'February 2024 has 29 days'],
    ["created > '2023-02-29'", 'February 2023 has 28 days'],
    ["created > '2024-13-01'", 'no month 13'],
    ["created > '2024-04-31'", 'April 2024 has 30 days'],
    ["created > '2024-01-01T25:00:00Z'", 'no hour 25'],
    ["created > '2024-01-01T10:60'", 'no minute 60'],
  ])('an impossible date is refused, never rolled over: %s', (filter, reason) => {
    const e = error(`email = 'x' AND ${filter}`);
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.message).toContain(reason);
    expect(e.message).toContain(filter.slice(10));
    expect(e.message).toContain('position 17');
    expect(e.details.position).toBe(16);
  });
  it("booleans follow the payload rule: true/false, not '1'/'0'", () => {
    expect(truth("delinquent = 'false'", jane)).toBe(true);
    expect(truth("delinquent = 'TRUE'", jane)).toBe(false);
    expect(error("delinquent = '0'").message).toMatch(/true or false/);
    expect(error('delinquent = 1').code).toBe('INVALID_VALUE');
  });
});
