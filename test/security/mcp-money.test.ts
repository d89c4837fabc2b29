/**
 * Attack: an agent holding a write token (MCP at /mcp, money not allowed by the server config)
 * concedes a dispute, finalizes an auto-charged invoice, resumes a subscription or approves a held
 * payment: each moves, concedes or commits funds, so each is refused before Stripe sees it. With
 * `mcp.allowMoney` the same calls pass the policy (they reach the emulator).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { issueToken, startServer, type RunningServer } from '../../src/server/index.ts';
import { failed, newClient } from '../mcp/support.ts';
import { API_KEY } from '../server/support.ts';

/** Each named action with the id its path takes. */
const ACTIONS: Array<[string, Record<string, string>]> = [
  ['CloseChargesDispute', { charge: 'ch_disputed' }],
  ['FinalizeInvoice', { invoice: 'in_auto' }],
  ['ResumeSubscription', { subscription: 'sub_paused' }],
  ['ApproveReview', { review: 'prv_held' }],
];

function useMcp(allowMoney: boolean) {
  const env = {} as { emulator: Emulator; server: RunningServer; client: Client };
  beforeAll(async () => {
    env.emulator = await startEmulator({ port: 0 });
    env.server = await startServer({
      host: '127.0.0.1',
      port: 0,
      config: {
        connections: [{ name: 'demo', apiKey: 'env:K', baseUrl: env.emulator.url }],
        mcp: { allowMoney },
      },
      env: { K: API_KEY },
      log: { level: 'silent' },
    });
    const { token } = await issueToken(env.server.ports.tokens, { scopes: ['write'] });
    env.client = newClient();
    await env.client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp/demo', env.server.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
  });
  afterAll(async () => {
    await env.client?.close();
    await env.server?.close();
    await env.emulator?.close();
  });
  return env;
}

const posts = (emulator: Emulator) => emulator.requests.filter((r) => r.method === 'POST');

describe('MCP write token, money not allowed', () => {
  const env = useMcp(false);

  it.each(ACTIONS)('%s is refused as money before Stripe sees it', async (action, payload) => {
    env.emulator.clearRequests();
    const error = failed(await env.client.callTool({ name: 'run_action', arguments: { action, payload } }));
    expect(error).toMatchObject({ code: 'POLICY_REFUSED', field: '--allow-money' });
    expect(error.message).toContain(action);
    expect(posts(env.emulator)).toEqual([]);
  });

  it('list_actions says each of them moves money and is not allowed', async () => {
    const listed = await env.client.callTool({ name: 'list_actions', arguments: {} });
    const actions = (listed.structuredContent as { actions: Array<Record<string, unknown>> }).actions;
    for (const [name] of ACTIONS)
      expect(actions.find((a) => a.name === name)).toMatchObject({ access: 'moves money', allowed: false });
  });
});

describe('MCP write token, mcp.allowMoney in the server config', () => {
  const env = useMcp(true);

  it.each(ACTIONS)('%s passes the policy and reaches Stripe', async (action, payload) => {
    env.emulator.clearRequests();
    const result = await env.client.callTool({ name: 'run_action', arguments: { action, payload } });
    expect(JSON.stringify(result)).not.toMatch(/POLICY_REFUSED/);
    expect(posts(env.emulator)).toHaveLength(1);
  });
});
