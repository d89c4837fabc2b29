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
