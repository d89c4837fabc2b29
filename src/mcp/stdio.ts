/**
 * `stripe-connector mcp`: the server over stdio for desktop and IDE clients. stdout carries the
 * protocol only; the gateway's log lines go to stderr. Runs until the client closes stdin or the
 * process gets SIGINT/SIGTERM; then it lets the calls in flight answer, and closes the gateway.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadCatalog } from '../catalog/index.ts';
import type { Connection } from '../connection/load.ts';
import { createRedactor } from '../connection/redact.ts';
import { createGatewayFromConnection } from '../gateway/index.ts';
import { checkMode, createPolicy, type McpPolicyOptions } from './policy.ts';
import { drain, newMcpServer, prepareMcp, type McpServerOptions } from './server.ts';

export type McpServeOptions = McpPolicyOptions & Omit<McpServerOptions, 'redactor'>;

export async function serveStdio(connection: Connection, options: McpServeOptions = {}): Promise<void> {
  const policy = createPolicy(options);
  // Refused before a gateway exists: nothing is sent with a live key the operator did not allow.
  checkMode(policy, connection.mode);
  const ctx = { catalog: loadCatalog(), gateway: createGatewayFromConnection(connection) };
  const redactor = createRedactor([connection.apiKey, connection.proxy?.password]);
  const prepared = prepareMcp(ctx, policy, { ...options, redactor });
  const server = newMcpServer(prepared);
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  const stop = () => void drain(prepared).then(() => server.close());
  process.stdin.once('end', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await server.connect(new StdioServerTransport());
    await closed;
  } finally {
    process.stdin.off('end', stop);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await ctx.gateway.close();
  }
}
