import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { mapPayload } from '../../src/entities/payload.ts';
import { expectConnectorError } from '../support/errors.ts';

const catalog = loadCatalog();
const paramsOf = (entity: string, kind: 'create' | 'update') =>
  catalog.operation(catalog.entity(entity), kind)!.params;

const fault = (fn: () => unknown) => expectConnectorError(fn);

describe('mapPayload', () => {
  const pi = paramsOf('PaymentIntent', 'create');

  it('maps the seed payload verbatim: PascalCase keys, a whole-number float amount', () => {
    expect(
      mapPayload(catalog, pi, { PaymentMethod: 'pm_card_visa', Currency: 'usd', Amount: 1500.0 }),
    ).toEqual({
      payment_method: 'pm_card_visa',
      currency: 'usd',
      amount: 1500,
    });
    expect(mapPayload(catalog, pi, { amount: '1500.0', currency: 'usd' }).amount).toBe(1500);
  });

  it('rejects a fractional amount naming the field', () => {
    const e = fault(() => mapPayload(catalog, pi, { Amount: 1500.5, Currency: 'usd' }));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.details.field).toBe('amount');
  });

  it('lists missing required fields', () => {
    const e = fault(() => mapPayload(catalog, pi, { PaymentMethod: 'pm_card_visa' }));
    expect(e.code).toBe('MISSING_FIELD');
    expect(e.details.missing).toEqual(['amount', 'currency']);
  });

  it('names unknown fields with the closest match and the allowed list', () => {
    const e = fault(() => mapPayload(catalog, pi, { Amout: 1, currency: 'usd', amount: 2 }));
    expect(e.code).toBe('UNKNOWN_FIELD');
    expect(e.details.field).toBe('Amout');
    expect(e.details.suggestion).toBe('amount');
    expect(e.details.allowed).toContain('payment_method');
    const nested = fault(() =>
      mapPayload(catalog, paramsOf('Customer', 'create'), { address: { citty: 'x' } }),
    );
    expect(nested.details.field).toBe('address.citty');
    expect(nested.details.suggestion).toBe('address.city');
  });

  it('checks enums, listing allowed values, and matches them loosely', () => {
    const e = fault(() => mapPayload(catalog, pi, { amount: 1, currency: 'usd', capture_method: 'later' }));
    expect(e.code).toBe('INVALID_VALUE');
    expect(e.details.field).toBe('capture_method');
    expect(e.details.allowed).toEqual(expect.arrayContaining(['automatic', 'manual']));
    expect(
      mapPayload(catalog, pi, { amount: 1, currency: 'usd', CaptureMethod: 'Manual' }).capture_method,
    ).toBe('manual');
  });

  it('merges dotted keys and nested objects, at every level loosely; metadata keys verbatim', () => {
    const out = mapPayload(catalog, paramsOf('Customer', 'create'), {
      'Address.City': 'Berlin',
      address: { Line1: 'Main St 1' },
      Metadata: { OrderId: '42', 'a.b': 'c' },
      'metadata.Plan': 'gold',
    });
    expect(out).toEqual({
      address: { city: 'Berlin', line1: 'Main St 1' },
      metadata: { OrderId: '42', 'a.b': 'c', Plan: 'gold' },
    });
  });

  it('reads a date-time without a zone as UTC, whatever the machine zone (as query filters do)', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const coupon = mapPayload(catalog, paramsOf('Coupon', 'create'), {
        percent_off: 5,
        redeem_by: '2030-01-01T10:00',
      });
      expect(coupon.redeem_by).toBe(1893492000);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('coerces booleans, timestamps, arrays and anyOf', () => {
    const product = mapPayload(catalog, paramsOf('Product', 'create'), {
      name: 'x',
      active: 'false',
      images: 'https://a/b.png',
    });
    expect(product).toEqual({ name: 'x', active: false, images: ['https://a/b.png'] });
    const coupon = mapPayload(catalog, paramsOf('Coupon', 'create'), {
      percent_off: '25',
      redeem_by: '2030-01-01T00:00:00Z',
    });
    expect(coupon).toEqual({ percent_off: 25, redeem_by: 1893456000 });
    expect(mapPayload(catalog, pi, { amount: 1, currency: 'usd', off_session: 'one_off' }).off_session).toBe(
      'one_off',
    );
    expect(mapPayload(catalog, pi, { amount: 1, currency: 'usd', off_session: 'true' }).off_session).toBe(
      true,
    );
    expect(
      fault(() => mapPayload(catalog, pi, { amount: 1, currency: 'usd', confirm: 'maybe' })).details.field,
    ).toBe('confirm');
  });

  it("accepts '' only where the field can be unset", () => {
    const update = paramsOf('Customer', 'update');
    expect(mapPayload(catalog, update, { address: '' })).toEqual({ address: '' });
    expect(fault(() => mapPayload(catalog, update, { email: '' })).details.field).toBe('email');
    expect(mapPayload(catalog, update, { email: '' }, { allowEmpty: ['email'] })).toEqual({ email: '' });
  });
});
