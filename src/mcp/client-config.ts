/**
 * The snippet a user pastes into an MCP client's configuration (Claude Desktop, Cursor, VS Code
 * and others read the same `mcpServers` shape). `npm start` prints it for the emulator.
 */
import { join } from 'node:path';

export interface McpClientConfigOptions {
  /** The key put in the client's env; default a placeholder (never a real key in printed text). */
  apiKey?: string;
  /** STRIPE_API_BASE, e.g. the emulator's URL. */
  apiBase?: string;
  /** A connection file instead of the env key (its secrets stay env:/file: references). */
  connectionFile?: string;
  allowWrites?: boolean;
  allowMoney?: boolean;
  allowLive?: boolean;
  maxRows?: number;
  /** A clone of this project: run its bin with node instead of the npm package through npx. */
  projectDir?: string;
}

export interface McpClientConfig {
  mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
}

export const API_KEY_PLACEHOLDER = 'sk_test_...';

export function mcpClientConfig(options: McpClientConfigOptions = {}): McpClientConfig {
  const flags = [
    ...(options.connectionFile ? ['--connection', options.connectionFile] : []),
    ...(options.allowWrites ? ['--allow-writes'] : []),
    ...(options.allowMoney ? ['--allow-money'] : []),
    ...(options.allowLive ? ['--allow-live'] : []),
    ...(options.maxRows !== undefined ? ['--max-rows', String(options.maxRows)] : []),
  ];
  const run = options.projectDir
    ? { command: 'node', args: [join(options.projectDir, 'bin', 'stripe-connector.js'), 'mcp', ...flags] }
    : { command: 'npx', args: ['-y', 'stripe-connector', 'mcp', ...flags] };
  const env: Record<string, string> = options.connectionFile
    ? {}
    : { STRIPE_API_KEY: options.apiKey ?? API_KEY_PLACEHOLDER };
  if (options.apiBase) env.STRIPE_API_BASE = options.apiBase;
  return { mcpServers: { 'stripe-connector': { ...run, env } } };
}
