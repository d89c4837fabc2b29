/**
 * `stripe-connector mcp` driven by the SDK's own client over stdio, against an emulator: what an
 * agent on a desktop client sees, including what it is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createEntity } from '../../src/entities/index.ts';
import { useEmulator } from '../support/emulator.ts';
import { connectStdio, failed, ok, runMcp, TOOL_NAMES } from './support.ts';

const env = useEmulator();
let customer: Record<string, any>;
let intent: Record<string, any>;

beforeAll(async () => {
  customer = await createEntity(env.ctx, 'Customer', { email: 'ada@example.com', name: 'Ada' });
  await createEntity(env.ctx, 'Customer', { email: 'bob@example.com', name: 'Bob' });
  intent = await createEntity(env.ctx, 'PaymentIntent', {
    amount: 2000,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    capture_method: 'manual',
    confirm: true,
  });
  expect(intent.status).toBe('requires_capture');
});

const posts = () => env.emulator.requests.filter((r) => r.method === 'POST');

describe('read-only (no flags)', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connectStdio(env.emulator.url);
  });
  afterAll(() => client?.close());

  it('initializes and lists the tools', async () => {
    expect(client.getServerVersion()?.name).toBe('stripe-connector');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    const query = tools.find((t) => t.name === 'query')!;
    expect(query.inputSchema.properties).toHaveProperty('sql');
    // Entity names come from the catalog.
    const get = tools.find((t) => t.name === 'get')!;
    expect((get.inputSchema.properties as any).entity.enum).toContain('PaymentIntent');
  });

  it('runs a query: rows and the API calls of its plan', async () => {
    const out = ok(
      await client.callTool({
        name: 'query',
        arguments: { sql: "SELECT id, email FROM Customer WHERE email = 'ada@example.com'" },
      }),
    );
    expect(out.rows).toEqual([{ id: customer.id, email: 'ada@example.com' }]);
    expect(out.truncated).toBe(false);
    expect(out.calls).toEqual([
      expect.objectContaining({
        kind: 'list',
        method: 'GET',
        path: '/v1/customers',
        params: expect.objectContaining({ email: 'ada@example.com' }),
      }),
    ]);
  });

  it('gets a record', async () => {
    const out = ok(
      await client.callTool({ name: 'get', arguments: { entity: 'Customer', id: customer.id } }),
    );
    expect(out).toMatchObject({ id: customer.id, object: 'customer', email: 'ada@example.com' });
  });

  it('refuses a write, naming the flag, and sends nothing', async () => {
    env.emulator.clearRequests();
    const error = failed(
      await client.callTool({
        name: 'create',
        arguments: { entity: 'Customer', payload: { email: 'x@example.com' } },
      }),
    );
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-writes' });
    expect(error.message).toMatch(/read-only.*--allow-writes/);
    expect(posts()).toEqual([]);
  });
});

describe('--allow-writes', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connectStdio(env.emulator.url, ['--allow-writes']);
  });
  afterAll(() => client?.close());

  it('refuses a capture without --allow-money', async () => {
    env.emulator.clearRequests();
    const error = failed(
      await client.callTool({
        name: 'run_action',
        arguments: { action: 'CapturePaymentIntent', payload: { PaymentIntentId: intent.id } },
      }),
    );
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-money' });
    expect(error.message).toContain('CapturePaymentIntent moves money');
    expect(posts()).toEqual([]);
  });

  it('creates with the client’s idempotency key, seen at the emulator and returned', async () => {
    env.emulator.clearRequests();
    const out = ok(
      await client.callTool({
        name: 'create',
        arguments: {
          entity: 'Customer',
          payload: { email: 'new@example.com' },
          idempotency_key: 'agent-key-1',
        },
      }),
    );
    expect(out.idempotency_key).toBe('agent-key-1');
    expect(out.result).toMatchObject({ object: 'customer', email: 'new@example.com' });
    expect(posts().map((r) => [r.path, r.idempotencyKey])).toEqual([['/v1/customers', 'agent-key-1']]);
  });

  it('generates a key when the client gives none, and returns it', async () => {
    env.emulator.clearRequests();
    const out = ok(
      await client.callTool({
        name: 'create',
        arguments: { entity: 'Customer', payload: { name: 'Keyless' } },
      }),
    );
    expect(out.idempotency_key).toMatch(/^mcp-[0-9a-f-]{36}$/);
    expect(posts().map((r) => r.idempotencyKey)).toEqual([out.idempotency_key]);
  });
});

describe('--allow-writes --allow-money', () => {
  it('captures', async () => {
    const client = await connectStdio(env.emulator.url, ['--allow-writes', '--allow-money']);
    try {
      const out = ok(
        await client.callTool({
          name: 'run_action',
          arguments: { action: 'CapturePaymentIntent', payload: { PaymentIntentId: intent.id } },
        }),
      );
      expect(out.result).toMatchObject({ id: intent.id, status: 'succeeded' });
    } finally {
      await client.close();
    }
  });
});

describe('live keys', () => {
  it('refuses a live-mode key at start unless --allow-live, without showing it', async () => {
    const key = 'sk_live_mcpSecret123456';
    const run = await runMcp([], { STRIPE_API_KEY: key, STRIPE_API_BASE: env.emulator.url });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/POLICY_REFUSED.*live-mode key.*--allow-live/);
    expect(run.stderr).not.toContain(key);
  });

  it('serves a live-mode key with --allow-live', async () => {
    const client = await connectStdio(env.emulator.url, ['--allow-live'], 'sk_live_mcpSecret123456');
    try {
      ok(await client.callTool({ name: 'query', arguments: { entity: 'Customer', limit: 1 } }));
    } finally {
      await client.close();
    }
  });
});
