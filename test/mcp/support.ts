/** Helpers for the MCP tests: a real SDK client over stdio (the CLI) or HTTP, and result reading. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';

export const bin = fileURLToPath(new URL('../../bin/stripe-connector.js', import.meta.url));

/** The tools every server offers (trigger_status only with a provider). */
export const TOOL_NAMES = [
  'create',
  'delete',
  'describe_entity',
  'explain',
  'get',
  'list_actions',
  'list_entities',
  'query',
  'run_action',
  'update',
];

export function newClient(): Client {
  return new Client({ name: 'stripe-connector-test', version: '1.0.0' });
}

/** `stripe-connector mcp FLAGS` as an MCP client would start it, against the emulator. */
export async function connectStdio(
  apiBase: string,
  flags: string[] = [],
  apiKey = 'sk_test_123',
): Promise<Client> {
  const client = newClient();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp', ...flags],
    env: { PATH: process.env.PATH ?? '', STRIPE_API_KEY: apiKey, STRIPE_API_BASE: apiBase },
    stderr: 'pipe',
  });
  await client.connect(transport);
  return client;
}

/** A successful result's structured content. */
export function ok(result: unknown): Record<string, any> {
  const r = result as CallToolResult;
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  // The text content is the same JSON, for clients that only read text.
  const text = r.content.find((c) => c.type === 'text');
  if (text && text.type === 'text') expect(JSON.parse(text.text)).toEqual(r.structuredContent);
  return r.structuredContent as Record<string, any>;
}

/** A refused or failed call's error object: `{ code, message, field?, details? }`. */
export function failed(result: unknown): { code: string; message: string; field?: string; details?: any } {
  const r = result as CallToolResult;
  expect(r.isError, JSON.stringify(r.content)).toBe(true);
  const text = r.content.find((c) => c.type === 'text');
  expect(text && text.type === 'text' && text.text).not.toMatch(/\n\s+at /); // never a stack
  return (r.structuredContent as { error: any }).error;
}

/**
 * `stripe-connector mcp ARGS` with stdin closed at once: a server that should have refused to
 * start exits 0 (stdin ended) instead of waiting for a client.
 */
export function runMcp(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, 'mcp', ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}
