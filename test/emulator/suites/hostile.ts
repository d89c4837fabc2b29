/**
 * Requests as an attacker or a careless client sends them (issue 9): dot segments, broken
 * encodings, JSON and junk bodies, prototype keys, oversized input, malformed auth and HTTP.
 * Every refusal is in Stripe's JSON error shape, and nothing is created by a refused request.
 */
import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { Emulator } from '../../../src/emulator/index.ts';
import { stripeError } from '../support/harness.ts';
import { bodyOf, raw, rawSocket } from '../support/raw.ts';
import { pdfText } from '../support/pdf.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export function hostileSuite(get: () => { em: Emulator; stripe: Stripe }) {
  /** The newest customer's id: unchanged across a request means it created nothing. */
  const newest = async () => (await get().stripe.customers.list({ limit: 1 })).data[0]?.id;

  it('does not normalise dot segments: `.` and `..` are ids, unknown ids are 404 resource_missing', async () => {
    const { em } = get();
    await get().stripe.customers.create({ name: 'dots' });
    const up = await raw(em.url, 'GET', '/v1/customers/../charges');
    expect(up.status).toBe(404);
    expect(up.json().error.type).toBe('invalid_request_error');
    expect(up.json().data).toBeUndefined();
    const dot = await raw(em.url, 'GET', '/v1/customers/.');
    expect([dot.status, dot.json().error.code, dot.json().error.message]).toEqual([
      404,
      'resource_missing',
      "No such customer: '.'",
    ]);
    const before = await newest();
    const update = await raw(em.url, 'POST', '/v1/customers/.', { headers: FORM, body: 'description=dot' });
    expect([update.status, update.json().error.code]).toEqual([404, 'resource_missing']);
    const encoded = await raw(em.url, 'GET', '/v1/customers/%2e%2e');
    expect([encoded.status, encoded.json().error.message]).toEqual([404, "No such customer: '..'"]);
    expect(await newest()).toBe(before);
  });

  it('answers a bad percent-encoding with 400 invalid_request_error, never "emulated fault"', async () => {
    const { em } = get();
    for (const path of ['/v1/customers/%E0%A4%A', '/v1/customers?email=%E0%A4%A', '/v1/customers/%zz']) {
      const res = await raw(em.url, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.json().error.type).toBe('invalid_request_error');
      expect(res.json().error.message).not.toMatch(/emulated fault/);
    }
  });

  it('refuses JSON and unparseable bodies with 400 and creates nothing', async () => {
    const { em } = get();
    const before = await newest();
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'content-type': 'application/json' }, '{"description": "x"}'],
      [{ 'content-type': 'application/json' }, '{"description": "x",'],
      [{}, '{"description": "x",'],
      [FORM, '{"description": "x",'],
      [FORM, 'description=%E0%A4%A'],
      [{ 'content-type': 'text/plain' }, 'description=x'],
    ];
    for (const [headers, body] of cases) {
      const res = await raw(em.url, 'POST', '/v1/customers', { headers, body });
      expect(res.status, `${JSON.stringify(headers)} ${body}`).toBe(400);
      expect(res.json().error.type).toBe('invalid_request_error');
    }
    expect(await newest()).toBe(before);
  });

  it('refuses prototype keys as unknown parameters', async () => {
    const { em } = get();
    const before = await newest();
    for (const [body, param] of [
      ['__proto__[x]=1', '__proto__'],
      ['constructor[prototype][x]=1', 'constructor'],
      ['address[__proto__][x]=1', 'address[__proto__]'],
    ]) {
      const res = await raw(em.url, 'POST', '/v1/customers', { headers: FORM, body });
      expect([res.status, res.json().error.code, res.json().error.param], body).toEqual([
        400,
        'parameter_unknown',
        param,
      ]);
    }
    expect(({} as any).x).toBeUndefined();
    expect(await newest()).toBe(before);
  });

  it("applies Stripe's metadata limits (50 keys, 40-character keys, 500-character values), a body and an array bound", async () => {
    const { em, stripe } = get();
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const ok = await stripe.customers.create({
      metadata: { ...keys(48), ['k'.repeat(40)]: 'v'.repeat(500) },
    });
    expect(Object.keys(ok.metadata)).toHaveLength(49);
    const before = await newest();
    const many = await stripeError(stripe.customers.create({ metadata: keys(51) }));
    expect([many.statusCode, many.param, many.raw.message]).toEqual([
      400,
      'metadata',
      "Metadata can have up to 50 keys, but you've set 51.",
    ]);
    const longKey = await stripeError(stripe.customers.create({ metadata: { ['k'.repeat(41)]: 'v' } }));
    expect([longKey.statusCode, longKey.param]).toEqual([400, 'metadata']);
    expect(longKey.raw.message).toMatch(/^Invalid key: k{41} must be a string of at most 40 characters$/);
    const longValue = await stripeError(stripe.customers.update(ok.id, { metadata: { a: 'v'.repeat(501) } }));
    expect(longValue.raw.message).toMatch(/^Invalid val: v+… must be a string of at most 500 characters$/);
    const nested = await stripeError(
      stripe.subscriptions.create({ customer: ok.id, items: [{ price: 'x', metadata: keys(51) }] } as any),
    );
    expect(nested.param).toBe('items[0][metadata]');
    const big = await raw(em.url, 'POST', '/v1/customers', {
      headers: FORM,
      body: `description=${'x'.repeat(1024 * 1024 + 1)}`,
    });
    expect([big.status, big.json().error.type]).toEqual([413, 'invalid_request_error']);
    const items = Array.from({ length: 1001 }, (_, i) => `expand[${i}]=x`).join('&');
    const arr = await raw(em.url, 'POST', '/v1/customers', { headers: FORM, body: items });
    expect([arr.status, arr.json().error.code]).toEqual([400, 'parameter_invalid_array']);
    expect(await newest()).toBe(before);
  });

  it('refuses any malformed Authorization header with 401, never echoing it', async () => {
    const { em } = get();
    for (const authorization of [
      'Bearer sk_test_abc junk junk',
      'Bearer',
      'Bearer  sk_test_abc extra',
      'Token sk_test_abc',
    ]) {
      const res = await raw(em.url, 'GET', '/v1/customers', { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(res.json().error.type).toBe('invalid_request_error');
      expect(res.text).not.toContain('junk');
    }
  });

  it('answers oversized headers, bad framing and invalid methods in Stripe JSON shape', async () => {
    const { em } = get();
    const huge = await rawSocket(
      em.url,
      `GET /v1/customers?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(huge).error.type).toBe('invalid_request_error');
    const bigHeader = await rawSocket(
      em.url,
      `GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expect(bigHeader).toMatch(/^HTTP\/1\.1 431 /);
    for (const bytes of [
      'FOO@ /v1/customers HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /v1/customers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ]) {
      const answer = await rawSocket(em.url, bytes);
      expect(answer, bytes).toMatch(/^HTTP\/1\.1 400 /);
      expect(bodyOf(answer).error.type).toBe('invalid_request_error');
    }
  });

  it('quote PDF: 404 for an unknown quote; a real PDF with the number, lines and total', async () => {
    const { em, stripe } = get();
    const missing = await raw(em.url, 'GET', '/v1/quotes/qt_nope/pdf');
    expect([missing.status, missing.json().error.code, missing.json().error.message]).toEqual([
      404,
      'resource_missing',
      "No such quote: 'qt_nope'",
    ]);
    const customer = await stripe.customers.create({ name: 'Quoted' });
    const product = await stripe.products.create({ name: 'Widget (large)' });
    const price = await stripe.prices.create({ product: product.id, unit_amount: 1250, currency: 'eur' });
    const draft = await stripe.quotes.create({
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 3 }],
    });
    const quote = await stripe.quotes.finalizeQuote(draft.id);
    const res = await fetch(`${em.url}/v1/quotes/${quote.id}/pdf`, {
      headers: { authorization: 'Bearer sk_test_raw' },
    });
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const { pages, text } = await pdfText(Buffer.from(await res.arrayBuffer()));
    expect(pages).toBe(1);
    expect(text).toContain(`Quote ${quote.number}`);
    expect(text).toContain(`3 x ${product.id}: EUR 37.50`);
    expect(text).toContain('Total: EUR 37.50');
  });
}
