/**
 * The Streamable HTTP handler mounted on a plain node:http server on 127.0.0.1, driven by the
 * SDK's StreamableHTTPClientTransport: the same tools and guard rails as over stdio.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createEntity } from '../../src/entities/index.ts';
import { createMcpHttpHandler, type McpPolicyOptions } from '../../src/mcp/index.ts';
import { useEmulator } from '../support/emulator.ts';
import { failed, newClient, ok, TOOL_NAMES } from './support.ts';

const env = useEmulator();
const servers: HttpServer[] = [];

async function serve(policy: McpPolicyOptions, triggerStatus?: () => Promise<unknown>): Promise<URL> {
  const handler = createMcpHttpHandler({ ctx: env.ctx, policy, triggerStatus });
  const server = createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
}

async function connect(url: URL): Promise<Client> {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

let customer: Record<string, any>;
beforeAll(async () => {
  customer = await createEntity(env.ctx, 'Customer', { email: 'http@example.com', name: 'Hattie' });
});

const posts = () => env.emulator.requests.filter((r) => r.method === 'POST');

describe('read-only', () => {
  let client: Client;
  let url: URL;
  beforeAll(async () => {
    url = await serve({});
    client = await connect(url);
  });
  afterAll(() => client?.close());

  it('initializes, lists the tools, runs a query and gets a record', async () => {
    expect(client.getServerVersion()?.name).toBe('stripe-connector');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    const out = ok(
      await client.callTool({
        name: 'query',
        arguments: { entity: 'Customer', filter: "email = 'http@example.com'" },
      }),
    );
    expect(out.rows.map((r: any) => r.id)).toEqual([customer.id]);
    expect(out.calls[0]).toMatchObject({ method: 'GET', path: '/v1/customers' });
    const got = ok(
      await client.callTool({ name: 'get', arguments: { entity: 'Customer', id: customer.id } }),
    );
    expect(got.email).toBe('http@example.com');
  });

  it('refuses a write', async () => {
    env.emulator.clearRequests();
    const error = failed(
      await client.callTool({
        name: 'update',
        arguments: { entity: 'Customer', id: customer.id, payload: { name: 'Changed' } },
      }),
    );
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-writes' });
    expect(posts()).toEqual([]);
  });

  it('answers GET (no session streams in stateless mode) with 405', async () => {
    const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('writes allowed, money not', () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(await serve({ allowWrites: true }));
  });
  afterAll(() => client?.close());

  it('creates with its idempotency key seen at the emulator', async () => {
    env.emulator.clearRequests();
    const out = ok(
      await client.callTool({
        name: 'create',
        arguments: { entity: 'Product', payload: { name: 'Agent plan' }, idempotency_key: 'http-key-1' },
      }),
    );
    expect(out).toMatchObject({
      idempotency_key: 'http-key-1',
      result: { object: 'product', name: 'Agent plan' },
    });
    expect(posts().map((r) => [r.path, r.idempotencyKey])).toEqual([['/v1/products', 'http-key-1']]);
  });

  it('refuses a money-moving create (a Refund) without --allow-money', async () => {
    env.emulator.clearRequests();
    const error = failed(
      await client.callTool({ name: 'create', arguments: { entity: 'Refund', payload: { charge: 'ch_1' } } }),
    );
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-money' });
    expect(posts()).toEqual([]);
  });
});

describe('trigger status', () => {
  it('is a tool only when a provider is given, and answers what the provider says', async () => {
    const status = [{ name: 'orders', state: 'running', inbox: 0 }];
    const client = await connect(await serve({}, async () => status));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES, 'trigger_status'].sort());
      expect(ok(await client.callTool({ name: 'trigger_status', arguments: {} }))).toEqual({
        triggers: status,
      });
    } finally {
      await client.close();
    }
  });
});
