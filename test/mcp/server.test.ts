/** The tools one by one, through a real SDK client on an in-memory transport, against the emulator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createRedactor, REDACTED } from '../../src/connection/redact.ts';
import { createEntity } from '../../src/entities/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { createMcpServer, type McpPolicyOptions } from '../../src/mcp/index.ts';
import { useEmulator } from '../support/emulator.ts';
import { failed, newClient, ok } from './support.ts';

const env = useEmulator();
const clients: Client[] = [];

async function connect(policy: McpPolicyOptions = {}): Promise<Client> {
  const server = createMcpServer(env.ctx, policy, { redactor: createRedactor(['sk_test_123']) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = newClient();
  await client.connect(clientSide);
  clients.push(client);
  return client;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

let reader: Client;
let writer: Client;
beforeAll(async () => {
  for (let i = 0; i < 5; i++) await createEntity(env.ctx, 'Customer', { email: `many${i}@example.com` });
  reader = await connect({ maxRows: 3 });
  writer = await connect({ allowWrites: true });
});

describe('discovery', () => {
  it('list_entities and describe_entity answer from the catalog', async () => {
    const { entities } = ok(await reader.callTool({ name: 'list_entities', arguments: {} }));
    expect(entities.find((e: any) => e.entity === 'PaymentIntent')).toMatchObject({
      resource: 'payment_intent',
      operations: expect.arrayContaining(['list', 'create']),
      actions: expect.arrayContaining(['CapturePaymentIntent']),
    });
    const described = ok(
      await reader.callTool({ name: 'describe_entity', arguments: { entity: 'customer' } }),
    );
    expect(described.entity).toBe('Customer');
    expect(described.fields.map((f: any) => f.name)).toContain('email');
    const create = described.operations.find((o: any) => o.kind === 'create');
    expect(create.params.map((p: any) => p.name)).toContain('email');
  });

  it('list_actions says what each action does and whether this server allows it', async () => {
    const { actions: readOnly } = ok(
      await reader.callTool({ name: 'list_actions', arguments: { entity: 'PaymentIntent' } }),
    );
    const capture = readOnly.find((a: any) => a.name === 'CapturePaymentIntent');
    expect(capture).toMatchObject({ access: 'moves money', allowed: false, method: 'POST' });
    expect(capture.inputs.map((i: any) => i.name)).toContain('PaymentIntentId');
    expect(readOnly.find((a: any) => a.name === 'CancelPaymentIntent')).toMatchObject({
      access: 'write',
      allowed: false,
    });
    const { actions } = ok(await writer.callTool({ name: 'list_actions', arguments: {} }));
    const byName = Object.fromEntries(actions.map((a: any) => [a.name, a]));
    expect(byName.CancelPaymentIntent).toMatchObject({ access: 'write', allowed: true });
    expect(byName.CapturePaymentIntent).toMatchObject({ allowed: false });
    expect(byName.PdfQuote).toMatchObject({ access: 'read', allowed: true });
  });

  it('offers the catalog as resources', async () => {
    const { resources } = await reader.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'stripe-connector://catalog/entities',
        'stripe-connector://catalog/actions',
        'stripe-connector://catalog/entities/Customer',
      ]),
    );
    const { resourceTemplates } = await reader.listResourceTemplates();
    expect(resourceTemplates[0].uriTemplate).toBe('stripe-connector://catalog/entities/{entity}');
    const read = await reader.readResource({ uri: 'stripe-connector://catalog/entities/PaymentIntent' });
    const body = JSON.parse((read.contents[0] as { text: string }).text);
    expect(body.actions.map((a: any) => a.name)).toContain('ConfirmPaymentIntent');
    await expect(reader.readResource({ uri: 'stripe-connector://catalog/entities/Nope' })).rejects.toThrow(
      /no such resource/,
    );
  });
});

describe('query limits', () => {
  it('returns at most the limit, says it was cut, and refuses a limit above --max-rows', async () => {
    const out = ok(await reader.callTool({ name: 'query', arguments: { entity: 'Customer' } }));
    expect(out.rowCount).toBe(3);
    expect(out.rows).toHaveLength(3);
    expect(out.truncated).toBe(true);
    expect(out.note).toMatch(/at most 3/);
    const small = ok(
      await reader.callTool({ name: 'query', arguments: { sql: 'SELECT id FROM Customer LIMIT 2' } }),
    );
    expect(small).toMatchObject({ rowCount: 2, truncated: false });
    const error = failed(
      await reader.callTool({ name: 'query', arguments: { entity: 'Customer', limit: 4 } }),
    );
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'limit' });
    const { tools } = await reader.listTools();
    expect((tools.find((t) => t.name === 'query')!.inputSchema.properties as any).limit.maximum).toBe(3);
  });

  it('explain shows the plan without calling Stripe', async () => {
    env.emulator.clearRequests();
    const plan = ok(
      await reader.callTool({
        name: 'explain',
        arguments: { entity: 'Customer', filter: "email = 'a@b.c'" },
      }),
    );
    expect(plan.pushedDown).toEqual(["email = 'a@b.c'"]);
    expect(env.emulator.requests).toEqual([]);
  });
});

describe('errors', () => {
  it('name the field as the CLI does, with a stable code', async () => {
    const unknownField = failed(
      await writer.callTool({
        name: 'create',
        arguments: { entity: 'Customer', payload: { emial: 'x@y.z' } },
      }),
    );
    expect(unknownField).toMatchObject({ code: 'UNKNOWN_FIELD', field: 'emial' });
    const unknownEntity = failed(
      await reader.callTool({ name: 'get', arguments: { entity: 'Custmer', id: 'cus_1' } }),
    );
    expect(unknownEntity.code).toBe('UNKNOWN_ENTITY');
    expect(unknownEntity.message).toContain('Customer');
    const badArgument = failed(
      await reader.callTool({ name: 'get', arguments: { entity: 'Customer', id: 'cus_1', expnd: [] } }),
    );
    expect(badArgument).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'expnd' });
    const notFound = failed(
      await reader.callTool({ name: 'get', arguments: { entity: 'Customer', id: 'cus_missing' } }),
    );
    expect(notFound.code).toBe('STRIPE_NOT_FOUND');
    const syntax = failed(
      await reader.callTool({ name: 'query', arguments: { sql: 'SELEC id FROM Customer' } }),
    );
    expect(syntax.code).toBe('FILTER_SYNTAX');
  });

  it('an unknown tool is a protocol error', async () => {
    await expect(reader.callTool({ name: 'drop_everything', arguments: {} })).rejects.toThrow(/unknown tool/);
  });
});

describe('writes', () => {
  it('every action that writes carries a key, generated or the client’s, sent and returned', async () => {
    const intent = await createEntity(env.ctx, 'PaymentIntent', { amount: 700, currency: 'usd' });
    env.emulator.clearRequests();
    const cancelled = ok(
      await writer.callTool({
        name: 'run_action',
        arguments: { action: 'CancelPaymentIntent', payload: { PaymentIntentId: intent.id } },
      }),
    );
    expect(cancelled.result.status).toBe('canceled');
    const named = ok(
      await writer.callTool({
        name: 'run_action',
        arguments: {
          action: 'CreateCustomer',
          payload: { Email: 'named@example.com' },
          idempotency_key: 'named-1',
        },
      }),
    );
    expect(named.idempotency_key).toBe('named-1');
    const posts = env.emulator.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => [r.path, r.idempotencyKey])).toEqual([
      [`/v1/payment_intents/${intent.id}/cancel`, cancelled.idempotency_key],
      ['/v1/customers', 'named-1'],
    ]);
    expect(cancelled.idempotency_key).toMatch(/^mcp-/);
  });

  it('a read action (PdfQuote, GetCustomer) runs on a read-only server', async () => {
    const customer = await createEntity(env.ctx, 'Customer', { email: 'read@example.com' });
    const got = ok(
      await reader.callTool({
        name: 'run_action',
        arguments: { action: 'GetCustomer', payload: { id: customer.id } },
      }),
    );
    expect(got).not.toHaveProperty('idempotency_key');
    expect(JSON.stringify(got)).toContain('read@example.com');
  });
});

describe('secrets', () => {
  it('client secrets are redacted from results; the connection key never appears', async () => {
    const created = ok(
      await writer.callTool({
        name: 'create',
        arguments: { entity: 'PaymentIntent', payload: { amount: 500, currency: 'usd' } },
      }),
    );
    expect(created.result.client_secret).toBe(REDACTED);
    const got = ok(
      await reader.callTool({ name: 'get', arguments: { entity: 'PaymentIntent', id: created.result.id } }),
    );
    expect(got.client_secret).toBe(REDACTED);
    expect(JSON.stringify(got)).not.toMatch(/_secret_/);
    const rows = ok(
      await reader.callTool({
        name: 'query',
        arguments: { sql: `SELECT id, client_secret FROM PaymentIntent WHERE id = '${created.result.id}'` },
      }),
    );
    expect(rows.rows).toEqual([{ id: created.result.id, client_secret: REDACTED }]);
  });
});

describe('live keys', () => {
  it('a server over a live-mode gateway is refused unless allowLive', async () => {
    const gateway = createGateway({ apiKey: 'sk_live_serverTest1', baseUrl: env.emulator.url });
    try {
      const ctx = { catalog: env.ctx.catalog, gateway };
      expect(() => createMcpServer(ctx, {})).toThrow(/--allow-live/);
      expect(() => createMcpServer(ctx, { allowLive: true })).not.toThrow();
    } finally {
      await gateway.close();
    }
  });
});
