/**
 * Tools for AI agents: the connector as an MCP server (stdio and Streamable HTTP), safe by default
 * (read-only unless allowed; money and live keys need their own flags; see policy.ts).
 */
export {
  createMcpServer,
  prepareMcp,
  newMcpServer,
  callTool,
  drain,
  type McpServerOptions,
  type PreparedMcp,
} from './server.ts';
export { createMcpHttpHandler, type McpHttpHandler, type McpHttpOptions } from './http.ts';
export { serveStdio, type McpServeOptions } from './stdio.ts';
export {
  createPolicy,
  authorize,
  checkMode,
  type McpPolicy,
  type McpPolicyOptions,
  type Access,
} from './policy.ts';
export { moneyRuleFor, type MoneyRule } from './money.ts';
export { mcpClientConfig, type McpClientConfig, type McpClientConfigOptions } from './client-config.ts';
