import { describe, expect, it } from 'vitest';
import { expectConnectorError } from '../support/errors.ts';
import { toText } from '../../src/query/ast.ts';
import { parseFilter, parseSql } from '../../src/query/parse.ts';

const fails = (fn: () => unknown) => expectConnectorError(fn);

describe('parseFilter', () => {
  it('parses the issue example with every shape', () => {
    const e = parseFilter(
      "email = 'jane@example.com' AND created >= '2024-01-01' AND (status IN ('open','paid') OR amount_due > 5000)",
    );
    expect(toText(e)).toBe(
      "email = 'jane@example.com' AND created >= '2024-01-01' AND (status IN ('open', 'paid') OR amount_due > 5000)",
    );
  });

  it.each([
    ["a = 'x'", "a = 'x'"],
    ["a != 'x'", "a != 'x'"],
    ["a <> 'x'", "a != 'x'"],
    ['a < 1', 'a < 1'],
    ['a <= 1', 'a <= 1'],
    ['a > -1', 'a > -1'],
    ['a >= 1.5', 'a >= 1.5'],
    ['5 < a', 'a > 5'],
    ["a LIKE 'x%'", "a LIKE 'x%'"],
    ["a NOT LIKE '%x'", "a NOT LIKE '%x'"],
    ["a ILIKE 'x%'", "a ILIKE 'x%'"],
    ["a IN ('x', 'y')", "a IN ('x', 'y')"],
    ['a NOT IN (1, 2)', 'a NOT IN (1, 2)'],
    ['a IS NULL', 'a IS NULL'],
    ['a IS NOT NULL', 'a IS NOT NULL'],
    ["NOT a = 'x'", "NOT a = 'x'"],
    ["NOT (a = 'x' OR b = 'y')", "NOT (a = 'x' OR b = 'y')"],
    ['a = TRUE and b = false', 'a = true AND b = false'],
    ['a BETWEEN 1 AND 2', 'a >= 1 AND a <= 2'],
    ["n = 'it''s'", "n = 'it''s'"],
  ])('%s', (input, text) => {
    expect(toText(parseFilter(input))).toBe(text);
  });

  it('reads dotted paths of any depth, and keyword field names', () => {
    const e = parseFilter(
      "metadata.plan = 'pro' AND address.country = 'DE' AND payment_method_options.card.installments.enabled = true AND order = 1 AND \"type\" = 'x' AND metadata.\"order-id\" = '7'",
    );
    expect(e && e.kind === 'and' && e.items.map((i) => ('field' in i ? i.field : ''))).toEqual([
      'metadata.plan',
      'address.country',
      'payment_method_options.card.installments.enabled',
      'order',
      'type',
      'metadata.order-id',
    ]);
  });

  it('empty filter is no predicate', () => {
    expect(parseFilter('  ')).toBeUndefined();
  });

  it.each([
    ["email = 'x' AND", 15],
    ['x == 1', 3],
    ["email = 'unterminated", 8],
    ["a = 'x' b = 'y'", 8],
    ["(a = 'x'", 8],
  ])('syntax error %s points at %i', (input, pos) => {
    const e = fails(() => parseFilter(input));
    expect(e.code).toBe('FILTER_SYNTAX');
    expect(e.details.position).toBe(pos);
    const hint = String(e.details.hint).split('\n');
    expect(hint[1].indexOf('^') - 2).toBe(pos);
  });

  it('double quotes are names, and says so when used as values', () => {
    const e = fails(() => parseFilter('email = "x"'));
    expect(e.message).toMatch(/single quotes/);
  });

  it('rejects ORDER BY in a filter, field-vs-field and functions', () => {
    expect(fails(() => parseFilter('x = 1 ORDER BY y')).code).toBe('FILTER_SYNTAX');
    expect(fails(() => parseFilter('a = b')).code).toBe('FILTER_SYNTAX');
    expect(fails(() => parseFilter("lower(email) = 'x'")).code).toBe('QUERY_UNSUPPORTED');
  });
});

describe('parseSql', () => {
  it('parses a full query', () => {
    const q = parseSql(
      "SELECT id, email, address.city AS city FROM Customer WHERE email = 'x' ORDER BY created DESC LIMIT 50 OFFSET 10",
    );
    expect(q).toMatchObject({
      entity: 'Customer',
      select: [
        { field: 'id', as: 'id' },
        { field: 'email', as: 'email' },
        { field: 'address.city', as: 'city' },
      ],
      count: false,
      orderBy: [{ field: 'created', direction: 'desc' }],
      limit: 50,
      offset: 10,
    });
  });

  it('COUNT(*) and aliases', () => {
    expect(parseSql('SELECT COUNT(*) FROM PaymentIntent').count).toBe(true);
    const q = parseSql("SELECT c.email FROM Customer c WHERE c.name = 'x'");
    expect(q.select?.[0].field).toBe('email');
    expect(q.where && 'field' in q.where && q.where.field).toBe('name');
  });

  it('rejects joins, grouping and other statements, saying where', () => {
    const join = fails(() => parseSql('SELECT * FROM Customer c JOIN Invoice i ON c.id = i.customer'));
    expect(join.code).toBe('QUERY_UNSUPPORTED');
    expect(join.message).toMatch(/joins are not supported/);
    expect(join.details.position).toBe(25);
    expect(fails(() => parseSql('SELECT * FROM Customer GROUP BY email')).message).toMatch(/GROUP BY/);
    expect(fails(() => parseSql("DELETE FROM Customer WHERE id = 'x'")).code).toBe('QUERY_UNSUPPORTED');
    expect(fails(() => parseSql('SELECT * FROM Customer; SELECT 1')).code).toBe('FILTER_SYNTAX');
  });
});

describe('what the query language does not support is refused with its position', () => {
  it.each([
    ["SELECT id FROM Customer WHERE email = 'x' UNION SELECT id FROM Customer", 'UNION', 42],
    ["SELECT id FROM Customer WHERE email = 'x' UNION ALL SELECT id FROM Customer", 'UNION', 42],
    ['SELECT id FROM Customer INTERSECT SELECT id FROM Customer', 'INTERSECT', 24],
    ['SELECT id FROM Customer EXCEPT SELECT id FROM Customer', 'EXCEPT', 24],
    ['SELECT id FROM Customer WHERE id IN (SELECT customer FROM Charge)', 'subqueries', 37],
    ["SELECT id FROM Customer WHERE name = 'union' GROUP BY email", 'GROUP BY', 45],
    ['SELECT id FROM Customer GROUP BY email HAVING COUNT(*) > 1', 'GROUP BY', 24],
  ])('%s', (sql, word, pos) => {
    const e = fails(() => parseSql(sql));
    expect(e.code).toBe('QUERY_UNSUPPORTED');
    expect(e.message).toContain(word);
    expect(e.details.position).toBe(pos);
  });

  it.each([
    ["email = 'x' UNION SELECT * FROM Charge", 12],
    ["email = 'x' union select id from Customer", 12],
    ['id IN (SELECT id FROM Customer)', 7],
    ["email = 'x' AND EXISTS (SELECT 1)", 24],
  ])('filter %s', (filter, pos) => {
    const e = fails(() => parseFilter(filter));
    expect(e.code).toBe('QUERY_UNSUPPORTED');
    expect(e.details.position).toBe(pos);
  });

  it('a filter with GROUP BY points at it', () => {
    const e = fails(() => parseFilter("name = 'group' GROUP BY email"));
    expect(e.code).toBe('FILTER_SYNTAX');
    expect(e.details.position).toBe(15);
  });

  it('window functions and several statements are refused', () => {
    expect(fails(() => parseSql('SELECT row_number() OVER () FROM Customer')).code).toBe('QUERY_UNSUPPORTED');
    expect(fails(() => parseSql('SELECT id FROM Customer; SELECT id FROM Charge')).details.position).toBe(23);
  });
});

describe("Stripe's bracket syntax for keys", () => {
  it.each([
    ["metadata['plan'] = 'pro'", 'metadata.plan'],
    ['metadata["plan"] = \'pro\'', 'metadata.plan'],
    ["metadata['order-id'] = '7'", 'metadata.order-id'],
    ["metadata['it''s'] = '7'", "metadata.it's"],
  ])('%s', (filter, field) => {
    const e = parseFilter(filter);
    expect(e && 'field' in e && e.field).toBe(field);
  });

  it('in SQL too, and a missing ] is a syntax error', () => {
    const q = parseSql("SELECT id, metadata['plan'] FROM Customer WHERE metadata['plan'] = 'pro'");
    expect(q.select?.[1].field).toBe('metadata.plan');
    expect(q.where && 'field' in q.where && q.where.field).toBe('metadata.plan');
    expect(fails(() => parseFilter("metadata['plan' = 'x'")).code).toBe('FILTER_SYNTAX');
  });
});
