/** The scalar rules shared by payloads and query filters: one rule per type, the same both ways. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { booleanRule, integerRule, numberRule, timestampRule } from '../../src/entities/coerce.ts';
import { mapPayload } from '../../src/entities/payload.ts';
import { ConnectorError } from '../../src/errors.ts';
import { bindExpr, makeBinder } from '../../src/query/fields.ts';
import { parseFilter } from '../../src/query/parse.ts';

const catalog = loadCatalog();
const couponCreate = catalog.operation(catalog.entity('Coupon'), 'create')!.params;
const piCreate = catalog.operation(catalog.entity('PaymentIntent'), 'create')!.params;

/** The value a payload gets for `text`, or the error code. */
function payload(params: typeof piCreate, key: string, value: unknown, base: Record<string, unknown> = {}) {
  try {
    return mapPayload(catalog, params, { ...base, [key]: value })[key];
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return (e as ConnectorError).code;
  }
}

/** The value a filter compares with, or the error code. */
function filter(entity: string, text: string) {
  try {
    const e = bindExpr(makeBinder(catalog, catalog.entity(entity), text), parseFilter(text)).expr;
    return e && e.kind === 'compare' ? e.value : undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return (e as ConnectorError).code;
  }
}

describe('scalar rules', () => {
  it.each([
    ['2024-01-01', 1704067200],
    ['2024-01-01T00:00:10Z', 1704067210],
    ['2024-01-01T02:00:00+02:00', 1704067200],
    ['2024-01-01 00:00:05', 1704067205],
    ['2024-02-29', 1709164800],
    ['1704067200', 1704067200],
    [1704067200, 1704067200],
  ])('timestamp %s', (input, seconds) => {
    expect(timestampRule(input)).toEqual({ value: seconds });
  });

  it.each([
    '2024-02-30',
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-01-01T24:00:00Z',
    '2024-01-01T12:61',
    'yesterday',
  ])('not a timestamp: %s', (input) => {
    expect(timestampRule(input)).toHaveProperty('expected');
  });

  it('booleans: true/false only; numbers: numerals only', () => {
    expect(booleanRule(' True ')).toEqual({ value: true });
    expect(booleanRule('1')).toHaveProperty('expected');
    expect(booleanRule('true', true)).toHaveProperty('expected');
    expect(numberRule('0x10')).toHaveProperty('expected');
    expect(numberRule('Infinity')).toHaveProperty('expected');
    expect(integerRule('1500.0')).toEqual({ value: 1500 });
  });
});

describe('payloads and filters read the same text as the same value', () => {
  it.each([
    ['2030-01-01T00:00:00Z', 1893456000],
    ['2024-02-30', 'INVALID_VALUE'],
    ['2024-13-01', 'INVALID_VALUE'],
  ])('timestamp %s', (text, expected) => {
    expect(payload(couponCreate, 'redeem_by', text, { percent_off: 5 })).toBe(expected);
    expect(filter('Coupon', `redeem_by = '${text}'`)).toBe(expected);
  });

  it.each([
    ['true', true],
    ['FALSE', false],
    ['1', 'INVALID_VALUE'],
    ['0', 'INVALID_VALUE'],
  ])('boolean %s', (text, expected) => {
    expect(payload(piCreate, 'confirm', text, { amount: 1, currency: 'usd' })).toBe(expected);
    expect(filter('Coupon', `valid = '${text}'`)).toBe(expected);
  });

  it.each([
    ['25', 25],
    ['0x19', 'INVALID_VALUE'],
    [' ', 'INVALID_VALUE'],
  ])('number %s', (text, expected) => {
    expect(payload(couponCreate, 'percent_off', text)).toBe(expected);
    expect(filter('Coupon', `percent_off = '${text}'`)).toBe(expected);
  });
});
