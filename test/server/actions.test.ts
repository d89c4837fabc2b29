/** Query, explain, actions (JSON and a file) and the Google task form, against the emulator. */
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useServer } from './support.ts';

const env = useServer();
const inject = (opts: InjectOptions) => env.server.app.inject(opts);
const conn = '/api/connections/demo';
type Json = Record<string, any>;

async function post(url: string, payload: object, token = env.tokens.write, headers: Json = {}) {
  return inject({ method: 'POST', url, payload, headers: { ...env.auth(token), ...headers } });
}

describe('query and explain', () => {
  it('runs SQL in offset-cursor pages (a local sort) without repeating or losing a row', async () => {
    env.emulator.load(
      'customer',
      Array.from({ length: 9 }, (_, i) => ({
        email: `q${i}@example.com`,
        name: `sorted ${String.fromCharCode(105 - i)}`,
      })),
    );
    const sql = "SELECT id, name FROM Customer WHERE name LIKE 'sorted%' ORDER BY name";
    const names: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await post(
        `${conn}/query`,
        { sql, limit: 4, ...(cursor ? { cursor } : {}) },
        env.tokens.read,
      );
      expect(res.statusCode).toBe(200);
      names.push(...res.json().data.map((r: Json) => r.name));
      cursor = res.json().next_cursor ?? undefined;
      if (!cursor) break;
    }
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(9);
  });

  it('pages a projection by keyset without sending the id it continues from', async () => {
    env.emulator.load(
      'customer',
      Array.from({ length: 5 }, (_, i) => ({ email: `proj${i}@example.com`, description: 'proj' })),
    );
    const sql = "SELECT email FROM Customer WHERE description = 'proj'";
    const first = (await post(`${conn}/query`, { sql, limit: 3 }, env.tokens.read)).json();
    expect(first.data).toHaveLength(3);
    expect(Object.keys(first.data[0])).toEqual(['email']);
    const second = (
      await post(`${conn}/query`, { sql, limit: 3, cursor: first.next_cursor }, env.tokens.read)
    ).json();
    expect(second.next_cursor).toBeNull();
    const emails = [...first.data, ...second.data].map((r: Json) => r.email).sort();
    expect(emails).toEqual([0, 1, 2, 3, 4].map((i) => `proj${i}@example.com`));
  });

  it('explains a plan; a SQL error names its position', async () => {
    const res = await post(
      `${conn}/explain`,
      { entity: 'Customer', filter: "email = 'a@b.c'" },
      env.tokens.read,
    );
    expect(res.json()).toMatchObject({ entity: 'Customer', pushedDown: ["email = 'a@b.c'"] });
    const bad = await post(`${conn}/query`, { sql: 'SELECT FROM' }, env.tokens.read);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toHaveProperty('position');
    const extra = await post(`${conn}/explain`, { entity: 'Customer', cursor: 'x' }, env.tokens.read);
    expect(extra.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'cursor' });
    expect(
      (await inject({ method: 'POST', url: `${conn}/query`, payload: { sql: 'SELECT * FROM Customer' } }))
        .statusCode,
    ).toBe(401);
  });
});

describe('actions', () => {
  it('runs ConfirmPaymentIntent natively and in the seed shape', async () => {
    const pi = (
      await post(`${conn}/entities/PaymentIntent`, {
        Amount: 2000,
        Currency: 'usd',
        PaymentMethod: 'pm_card_visa',
      })
    ).json();
    const res = await post(`${conn}/actions/ConfirmPaymentIntent?shape=seed`, {
      PaymentIntentId: pi.id,
      ReturnUrl: 'https://example.com',
    });
    expect(res.statusCode).toBe(200);
    expect(Array.isArray(res.json())).toBe(true);
    expect(JSON.stringify(res.json())).toContain(pi.id);
  });

  it('answers PdfQuote with the PDF and its content type', async () => {
    const customer = (await post(`${conn}/entities/Customer`, { name: 'Pdf' })).json();
    const product = (await post(`${conn}/entities/Product`, { name: 'Pdf product' })).json();
    const price = (
      await post(`${conn}/entities/Price`, { product: product.id, unit_amount: 500, currency: 'usd' })
    ).json();
    const quote = (
      await post(`${conn}/entities/Quote`, {
        customer: customer.id,
        line_items: [{ price: price.id, quantity: 1 }],
      })
    ).json();
    expect((await post(`${conn}/actions/FinalizeQuote`, { QuoteId: quote.id })).statusCode).toBe(200);
    const pdf = await post(`${conn}/actions/PdfQuote`, { QuoteId: quote.id });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('an unknown action is 404 with a suggestion; a missing input names the field; read may not run', async () => {
    const unknown = await post(`${conn}/actions/ConfirmPaymentIntnt`, {});
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_ACTION', field: 'action' });
    const missing = await post(`${conn}/actions/ConfirmPaymentIntent`, {});
    expect(missing.json().error).toMatchObject({
      code: 'MISSING_FIELD',
      field: expect.stringMatching(/PaymentIntent/),
    });
    expect((await post(`${conn}/actions/ConfirmPaymentIntent`, {}, env.tokens.read)).statusCode).toBe(403);
  });
});

describe('execute (the Google task form)', () => {
  it('CREATE, GET, UPDATE, LIST, DELETE and an action, in the seed shape', async () => {
    const run = (task: Json, token = env.tokens.write) => post(`${conn}/execute`, task, token);
    const created = await run({
      entity: 'Customer',
      operation: 'CREATE',
      connectorInputPayload: { Email: 'task@example.com' },
    });
    expect(created.statusCode).toBe(200);
    const id = created.json().connectorOutputPayload.Id;
    expect(id).toMatch(/^cus_/);
    const got = await run({ entity: 'Customer', operation: 'GET', entityId: id }, env.tokens.read);
    expect(got.json().connectorOutputPayload).toMatchObject({ id, email: 'task@example.com' });
    await run({
      entity: 'Customer',
      operation: 'UPDATE',
      entityId: id,
      connectorInputPayload: { Name: 'Task' },
    });
    const listed = await run(
      { entity: 'Customer', operation: 'LIST', filterClause: "email = 'task@example.com'" },
      env.tokens.read,
    );
    expect(listed.json().connectorOutputPayload).toEqual([expect.objectContaining({ id, name: 'Task' })]);
    const pi = (
      await run({
        entity: 'PaymentIntent',
        operation: 'CREATE',
        connectorInputPayload: { Amount: 100, Currency: 'usd', PaymentMethod: 'pm_card_visa' },
      })
    ).json();
    const action = await run({
      action: 'ConfirmPaymentIntent',
      connectorInputPayload: {
        PaymentIntentId: pi.connectorOutputPayload.Id,
        ReturnUrl: 'https://example.com',
      },
    });
    expect(action.statusCode).toBe(200);
    expect(Array.isArray(action.json().connectorOutputPayload)).toBe(true);
    const deleted = await run({ entity: 'Customer', operation: 'DELETE', entityId: id });
    expect(deleted.json().connectorOutputPayload).toMatchObject({ Id: id, Success: 'true' });
  });

  it('names what is missing; a read token may LIST but not CREATE', async () => {
    const noId = await post(`${conn}/execute`, { entity: 'Customer', operation: 'GET' }, env.tokens.read);
    expect(noId.json().error).toMatchObject({ code: 'MISSING_FIELD', field: 'entityId' });
    const noOp = await post(`${conn}/execute`, { entity: 'Customer' }, env.tokens.read);
    expect(noOp.json().error).toMatchObject({ code: 'MISSING_FIELD', field: 'operation' });
    const typo = await post(
      `${conn}/execute`,
      { entity: 'Customer', operation: 'LIST', filterclause: 'x' },
      env.tokens.read,
    );
    expect(typo.json().error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'filterclause' });
    const create = await post(
      `${conn}/execute`,
      { entity: 'Customer', operation: 'CREATE' },
      env.tokens.read,
    );
    expect(create.statusCode).toBe(403);
  });
});
