/**
 * Over stdio, stdout belongs to the protocol: every line the server writes there is a JSON-RPC
 * message, and the gateway's log lines (here: a failed call) go to stderr, without the key.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../support/emulator.ts';
import { bin } from './support.ts';

const env = useEmulator();

function startServer(key: string) {
  const child = spawn(process.execPath, [bin, 'mcp'], {
    env: { ...process.env, STRIPE_API_KEY: key, STRIPE_API_BASE: env.emulator.url },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const send = (m: unknown) => child.stdin.write(JSON.stringify(m) + '\n');
  send({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const answered = async (id: number) => {
    while (!out.stdout.includes(`"id":${id}`)) await once(child.stdout, 'data');
  };
  return { child, out, send, answered };
}

describe('stdio', () => {
  it('writes only protocol messages to stdout, logs to stderr, and exits when stdin ends', async () => {
    const key = 'sk_test_stdoutCheck1234';
    const child = spawn(process.execPath, [bin, 'mcp'], {
      env: { ...process.env, STRIPE_API_KEY: key, STRIPE_API_BASE: env.emulator.url },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const messages = [
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'get', arguments: { entity: 'Customer', id: 'cus_missing' } },
      },
    ];
    for (const m of messages) child.stdin.write(JSON.stringify(m) + '\n');
    while (!stdout.includes('"id":2')) await once(child.stdout, 'data');
    child.stdin.end();
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).jsonrpc)).toEqual(['2.0', '2.0']);
    const answer = JSON.parse(lines[1]);
    expect(answer.result.isError).toBe(true);
    expect(answer.result.structuredContent.error.code).toBe('STRIPE_NOT_FOUND');
    expect(stderr).toContain('GET /v1/customers/cus_missing failed with HTTP 404');
    expect(stdout + stderr).not.toContain(key);
  });

  it('on SIGTERM, answers the call in flight before it exits', async () => {
    const { child, out, send, answered } = startServer('sk_test_drain1234');
    await answered(1);
    env.emulator.clearRequests();
    env.emulator.setConditions({ latency: { ms: 1500 } });
    try {
      send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'query', arguments: { entity: 'Customer', limit: 1 } },
      });
      // The emulator logs a request when it arrives, before its latency: the call is in flight.
      while (!env.emulator.requests.length) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      const answer = out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((m) => m.id === 2);
      expect(answer?.result?.isError).toBeFalsy();
      expect(answer.result.structuredContent).toHaveProperty('rows');
    } finally {
      env.emulator.setConditions({ latency: undefined });
    }
  });
});
