/**
 * MCP at /mcp behind the server's tokens, driven by the SDK's StreamableHTTPClientTransport with a
 * bearer token: the token's scope decides the policy; money only when the server config allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import {
  issueToken,
  startServer,
  type RunningServer,
  type ServerConfigInput,
} from '../../src/server/index.ts';
import { failed, newClient, ok, TOOL_NAMES } from '../mcp/support.ts';
import { API_KEY } from './support.ts';

interface McpEnv {
  emulator: Emulator;
  server: RunningServer;
  tokens: { read: string; write: string; other: string };
}

function useMcpServer(extra: Partial<ServerConfigInput> = {}): McpEnv {
  const env = {} as McpEnv;
  beforeAll(async () => {
    env.emulator = await startEmulator({ port: 0, seed: 'demo' });
    env.server = await startServer({
      port: 0,
      config: { connections: [{ name: 'demo', apiKey: 'env:K', baseUrl: env.emulator.url }], ...extra },
      env: { K: API_KEY },
      log: { level: 'silent' },
    });
    const repo = env.server.ports.tokens;
    env.tokens = {
      read: (await issueToken(repo, { scopes: ['read'] })).token,
      write: (await issueToken(repo, { scopes: ['write'] })).token,
      other: (await issueToken(repo, { scopes: ['write'], connections: ['other'] })).token,
    };
  });
  afterAll(async () => {
    await env.server?.close();
    await env.emulator?.close();
  });
  return env;
}

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

async function connect(base: string, path: string, token?: string): Promise<Client> {
  const client = newClient();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(path, base), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

const posts = (emulator: Emulator) => emulator.requests.filter((r) => r.method === 'POST');

describe('MCP behind the server tokens (default config)', () => {
  const env = useMcpServer();

  it('a read token gets the tools and reads; a write is refused before Stripe sees it', async () => {
    const client = await connect(env.server.url, '/mcp/demo', env.tokens.read);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    const out = ok(await client.callTool({ name: 'query', arguments: { entity: 'Customer', limit: 2 } }));
    expect(out.rows.length).toBeGreaterThan(0);
    env.emulator.clearRequests();
    const error = failed(
      await client.callTool({ name: 'create', arguments: { entity: 'Product', payload: { name: 'x' } } }),
    );
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-writes' });
    expect(posts(env.emulator)).toEqual([]);
  });

  it('a write token writes, but money stays refused unless the config allows it', async () => {
    const client = await connect(env.server.url, '/mcp', env.tokens.write);
    const created = ok(
      await client.callTool({ name: 'create', arguments: { entity: 'Product', payload: { name: 'Agent' } } }),
    );
    expect(created.result).toMatchObject({ object: 'product', name: 'Agent' });
    env.emulator.clearRequests();
    const error = failed(
      await client.callTool({ name: 'create', arguments: { entity: 'Refund', payload: { charge: 'ch_1' } } }),
    );
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-money' });
    expect(posts(env.emulator)).toEqual([]);
  });

  it('401 without a token, 403 for a token limited to another connection, in the error format', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    const call = (token?: string, path = '/mcp/demo') =>
      fetch(new URL(path, env.server.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(init),
      });
    const anonymous = await call();
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe('UNAUTHENTICATED');
    const other = await call(env.tokens.other);
    expect(other.status).toBe(403);
    expect((await other.json()).error).toMatchObject({ code: 'FORBIDDEN', field: 'connection' });
    const viaQuery = await call(env.tokens.other, '/mcp?connection=demo');
    expect(viaQuery.status).toBe(403);
    const unknown = await call(env.tokens.read, '/mcp/nope');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('UNKNOWN_CONNECTION');
    await expect(connect(env.server.url, '/mcp/demo')).rejects.toThrow(/UNAUTHENTICATED/);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await (await fetch(new URL('/openapi.json', env.server.url))).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/mcp', '/mcp/{name}']));
  });
});

describe('MCP with mcp.allowMoney in the server config', () => {
  const env = useMcpServer({ mcp: { allowMoney: true } });

  it('a write token may move money; a read token still may not write', async () => {
    const writer = await connect(env.server.url, '/mcp/demo', env.tokens.write);
    env.emulator.clearRequests();
    const result = await writer.callTool({
      name: 'create',
      arguments: { entity: 'Refund', payload: { charge: 'ch_1' } },
    });
    // Passed the policy: the request reached Stripe (the emulator), whatever it answered.
    expect(JSON.stringify(result)).not.toMatch(/POLICY_REFUSED/);
    expect(posts(env.emulator).map((r) => r.path)).toEqual(['/v1/refunds']);
    const reader = await connect(env.server.url, '/mcp/demo', env.tokens.read);
    const error = failed(
      await reader.callTool({ name: 'create', arguments: { entity: 'Refund', payload: { charge: 'ch_1' } } }),
    );
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-writes' });
  });
});
