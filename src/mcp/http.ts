/**
 * The MCP endpoint over Streamable HTTP, as a Node (req, res) handler the HTTP server mounts at
 * /mcp behind its tokens and scopes. Stateless: every POST gets its own Server and transport (the
 * tools are built once), so any node of a scaled-out server can answer any request, and answers
 * are plain JSON (no SSE stream to hold open). GET and DELETE (session streams) answer 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ConnectorContext } from '../context.ts';
import type { McpPolicy, McpPolicyOptions } from './policy.ts';
import { newMcpServer, prepareMcp, type McpServerOptions } from './server.ts';

export interface McpHttpOptions extends McpServerOptions {
  /** The connection's context; the caller owns it (and closes its gateway). */
  ctx: ConnectorContext;
  policy?: McpPolicy | McpPolicyOptions;
}

/** `parsedBody`: the JSON body when a framework already read it (Fastify's request.body). */
export type McpHttpHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  parsedBody?: unknown,
) => Promise<void>;

function jsonRpcError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

export function createMcpHttpHandler(options: McpHttpOptions): McpHttpHandler {
  const prepared = prepareMcp(options.ctx, options.policy ?? {}, options);
  return async (req, res, parsedBody) => {
    if (req.method !== 'POST') {
      jsonRpcError(res, 405, 'this MCP endpoint is stateless: POST JSON-RPC messages to it', {
        allow: 'POST',
      });
      return;
    }
    const server = newMcpServer(prepared);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, parsedBody);
    } catch {
      // The transport answers protocol faults itself; this is for a failure of its own.
      jsonRpcError(res, 500, 'internal error');
    }
  };
}
