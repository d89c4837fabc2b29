/** Entity routes against the emulator: list pages, streamed formats, CRUD, idempotency, 401/403. */
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useServer } from './support.ts';

const env = useServer();
const inject = (opts: InjectOptions) => env.server.app.inject(opts);
const base = '/api/connections/demo/entities';

async function seedCustomers(n: number, tag: string): Promise<string[]> {
  const objects = Array.from({ length: n }, (_, i) => ({
    email: `${tag}${i}@example.com`,
    name: `${tag} ${i}`,
    created: 1_700_000_000 + i,
  }));
  env.emulator.load('customer', objects);
  return objects.map((o) => (o as { id?: string }).id!);
}

describe('entity list', () => {
  // name: Stripe search (offset cursor); description: a list scan filtered locally (keyset cursor).
  it.each([
    ['name', 'search'],
    ['description', 'list'],
  ])(
    'pages by %s with an opaque cursor: page N+1 continues exactly where page N ended',
    async (field, kind) => {
      const tag = `page${field}`;
      const objects = Array.from({ length: 25 }, (_, i) => ({
        email: `${tag}${i}@example.com`,
        [field]: `${tag} ${i}`,
        created: 1_700_000_000 + i,
      }));
      env.emulator.load('customer', objects);
      // Rows that the local filter drops, between the pages' rows.
      env.emulator.load(
        'customer',
        Array.from({ length: 10 }, (_, i) => ({ email: `noise${field}${i}@example.com` })),
      );
      const ids = objects.map((o) => (o as { id?: string }).id!);
      const filter = encodeURIComponent(`${field} LIKE '${tag}%'`);
      const explained = await inject({
        method: 'POST',
        url: '/api/connections/demo/explain',
        headers: env.auth(env.tokens.read),
        payload: { entity: 'Customer', filter: decodeURIComponent(filter) },
      });
      expect(explained.json().calls[0].kind).toBe(kind);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `${base}/Customer?filter=${filter}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await inject({ url, headers: env.auth(env.tokens.read) });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        seen.push(...body.data.map((c: { id: string }) => c.id));
        cursor = body.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(4);
      expect(seen).toHaveLength(25);
      expect(new Set(seen)).toEqual(new Set(ids));
    },
  );

  it('keyset pages of a plain list ask Stripe to start after the last row', async () => {
    await seedCustomers(5, 'keyset');
    const first = await inject({ url: `${base}/Customer?limit=2`, headers: env.auth(env.tokens.read) });
    const { data, next_cursor } = first.json();
    env.emulator.clearRequests();
    const second = await inject({
      url: `${base}/Customer?limit=2&cursor=${next_cursor}`,
      headers: env.auth(env.tokens.read),
    });
    expect(env.emulator.requests[0].query.starting_after).toBe(data[1].id);
    expect(second.json().data[0].id).not.toBe(data[1].id);
  });

  it('a cursor from another query, or garbage, is refused naming the cursor', async () => {
    const first = await inject({ url: `${base}/Customer?limit=1`, headers: env.auth(env.tokens.read) });
    const cursor = first.json().next_cursor;
    const other = await inject({
      url: `${base}/Customer?limit=1&filter=${encodeURIComponent("email = 'x@y.z'")}&cursor=${cursor}`,
      headers: env.auth(env.tokens.read),
    });
    expect(other.statusCode).toBe(400);
    expect(other.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'cursor' });
    const garbage = await inject({ url: `${base}/Customer?cursor=zzz`, headers: env.auth(env.tokens.read) });
    expect(garbage.json().error.field).toBe('cursor');
  });

  it('streams many rows as ndjson, and csv with a header', async () => {
    await seedCustomers(450, 'bulk');
    const filter = encodeURIComponent("name LIKE 'bulk%'");
    const nd = await inject({
      url: `${base}/Customer?format=ndjson&filter=${filter}`,
      headers: env.auth(env.tokens.read),
    });
    expect(nd.statusCode).toBe(200);
    expect(nd.headers['content-type']).toMatch(/application\/x-ndjson/);
    expect(nd.headers['transfer-encoding']).toBe('chunked');
    const lines = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(450);
    expect(new Set(lines.map((l) => l.id)).size).toBe(450);
    const csv = await inject({
      url: `${base}/Customer?format=csv&limit=3&filter=${filter}`,
      headers: env.auth(env.tokens.read),
    });
    const rows = csv.body.trim().split('\n');
    expect(rows[0]).toContain('email');
    expect(rows).toHaveLength(4);
    expect(csv.trailers['x-next-cursor']).toMatch(/.+/);
  });

  it('a bad filter names its position; a bad limit names the field; no token is 401', async () => {
    const bad = await inject({
      url: `${base}/Customer?filter=${encodeURIComponent("email = = 'x'")}`,
      headers: env.auth(env.tokens.read),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'FILTER_SYNTAX', position: expect.any(Number) });
    const limit = await inject({ url: `${base}/Customer?limit=0`, headers: env.auth(env.tokens.read) });
    expect(limit.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'limit' });
    const extra = await inject({ url: `${base}/Customer?limt=3`, headers: env.auth(env.tokens.read) });
    expect(extra.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'limt' });
    expect((await inject({ url: `${base}/Customer` })).statusCode).toBe(401);
  });
});

describe('entity writes', () => {
  it('create, get, update, delete one object', async () => {
    const w = env.auth(env.tokens.write);
    const created = await inject({
      method: 'POST',
      url: `${base}/Customer`,
      headers: w,
      payload: { Email: 'crud@example.com', Name: 'Crud' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const got = await inject({
      url: `${base}/Customer/${id}?shape=seed`,
      headers: env.auth(env.tokens.read),
    });
    expect(got.json()).toMatchObject({ id, email: 'crud@example.com' });
    const updated = await inject({
      method: 'PATCH',
      url: `${base}/Customer/${id}`,
      headers: w,
      payload: { Name: 'Renamed' },
    });
    expect(updated.json().name).toBe('Renamed');
    const deleted = await inject({ method: 'DELETE', url: `${base}/Customer/${id}`, headers: w });
    expect(deleted.json()).toMatchObject({ id, deleted: true });
  });

  it('the same Idempotency-Key twice makes one object', async () => {
    const w = { ...env.auth(env.tokens.write), 'idempotency-key': 'server-test-key-1' };
    const payload = { Amount: 1500, Currency: 'usd' };
    const a = await inject({ method: 'POST', url: `${base}/PaymentIntent`, headers: w, payload });
    const b = await inject({ method: 'POST', url: `${base}/PaymentIntent`, headers: w, payload });
    expect(a.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
    const keys = env.emulator.requests
      .filter((r) => r.path === '/v1/payment_intents')
      .map((r) => r.idempotencyKey);
    expect(keys.slice(-2)).toEqual(['server-test-key-1', 'server-test-key-1']);
    const c = await inject({
      method: 'POST',
      url: `${base}/PaymentIntent`,
      headers: env.auth(env.tokens.write),
      payload,
    });
    expect(c.json().id).not.toBe(a.json().id);
  });

  it('an unknown field is named; a read token may not write', async () => {
    const bad = await inject({
      method: 'POST',
      url: `${base}/Customer`,
      headers: env.auth(env.tokens.write),
      payload: { Emial: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'UNKNOWN_FIELD', field: expect.stringMatching(/Emial/i) });
    const reader = await inject({
      method: 'POST',
      url: `${base}/Customer`,
      headers: env.auth(env.tokens.read),
      payload: {},
    });
    expect(reader.statusCode).toBe(403);
    const notJson = await inject({
      method: 'POST',
      url: `${base}/Customer`,
      headers: { ...env.auth(env.tokens.write), 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(notJson.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'body' });
  });

  it('a Stripe refusal keeps its code and status', async () => {
    const res = await inject({
      url: `${base}/Customer/cus_doesnotexist`,
      headers: env.auth(env.tokens.read),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('STRIPE_NOT_FOUND');
  });
});
