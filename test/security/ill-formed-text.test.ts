/**
 * Attack: a string with a lone UTF-16 surrogate (`"\ud800"`, valid JSON, not valid text) in any
 * field or key of a request body. It used to reach the gateway and answer 500 "URI malformed";
 * every route now refuses it with 400 INVALID_ARGUMENT naming the field, before any handler runs
 * (and nothing is sent to Stripe).
 */
import { describe, expect, it } from 'vitest';
import { useServer } from '../server/support.ts';

const env = useServer();

/** A JSON body as a client sends it: JSON.stringify writes a lone surrogate as the escape `\ud800`. */
const post = (url: string, body: unknown, token = env.tokens.admin) =>
  env.server.app.inject({
    method: 'POST',
    url,
    headers: { ...env.auth(token), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

const refused = (res: { statusCode: number; json(): any }, field: string) => {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(400);
  expect(res.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field });
  expect(res.json().error.message).toMatch(/not well-formed/);
};

describe('ill-formed UTF-16 in a request body', () => {
  it('creating an entity: a top-level field, a metadata value, an item of an array', async () => {
    env.emulator.clearRequests();
    const url = '/api/connections/demo/entities/Customer';
    refused(await post(url, { name: '\ud800' }), 'name');
    refused(await post(url, { name: 'ok', metadata: { x: 'a\udc00b' } }), 'metadata.x');
    refused(await post(url, { items: [{ price: 'price_1' }, { price: '\ud83d' }] }), 'items.1.price');
    expect(env.emulator.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('a key is text too: the path names it (the lone surrogate shown as U+FFFD)', async () => {
    const res = await post('/api/connections/demo/entities/Customer', { metadata: { '\ud800': 'x' } });
    refused(res, 'metadata.\ufffd');
  });

  it('another route (running an action, creating a connection) is refused the same way', async () => {
    refused(
      await post('/api/connections/demo/actions/FinalizeInvoice', { invoice: 'in_\udfff' }, env.tokens.write),
      'invoice',
    );
    refused(
      await post('/api/connections', { name: 'new', apiKey: 'env:K', description: 'x\ud800' }),
      'description',
    );
  });

  it('a well-formed pair (an emoji) passes the check', async () => {
    const res = await post('/api/connections/demo/entities/Customer', { name: 'Smile \ud83d\ude00' });
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe('Smile 😀');
  });
});

describe('an ill-formed URL path', () => {
  it('answers 400 in the one error format, naming the path', async () => {
    const res = await env.server.app.inject({
      url: '/api/connections/demo/entities/%ED%A0%80',
      headers: env.auth(env.tokens.read),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'path' });
    expect(res.json().error.request_id).toMatch(/^req_/);
  });
});
