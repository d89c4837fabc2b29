/**
 * MCP over Streamable HTTP at `/mcp/{name}` (and `/mcp`, for the only connection or the one named
 * by `?connection=`), behind the server's tokens. The token decides the policy: a read token gets a
 * read-only server, a write token may write; money-moving writes and live-mode keys need the server
 * config's `mcp.allowMoney` / `mcp.allowLive` as well, so no token alone unlocks them.
 *
 * The handler (src/mcp/http.ts) is stateless and builds its tools once: one is kept per connection
 * gateway and policy, and dropped with the gateway when the connection changes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../../gateway/index.ts';
import { createMcpHttpHandler, type McpHttpHandler } from '../../mcp/index.ts';
import { hasScope } from '../tokens.ts';
import type { ServerState } from '../state.ts';
import { bearer, errorResponses, nameParam } from '../schemas.ts';

type PolicyKind = 'read' | 'write';

export function mcpRoutes(state: ServerState) {
  const handlers = new WeakMap<Gateway, Map<PolicyKind, McpHttpHandler>>();

  async function handlerFor(name: string, kind: PolicyKind): Promise<McpHttpHandler> {
    const ctx = await state.registry.context(name);
    let byKind = handlers.get(ctx.gateway);
    if (!byKind) handlers.set(ctx.gateway, (byKind = new Map()));
    let handler = byKind.get(kind);
    if (!handler) {
      const { allowMoney, allowLive } = state.config.mcp;
      handler = createMcpHttpHandler({
        ctx,
        policy: { allowWrites: kind === 'write', allowMoney: kind === 'write' && allowMoney, allowLive },
      });
      byKind.set(kind, handler);
    }
    return handler;
  }

  async function serve(request: FastifyRequest, reply: FastifyReply) {
    // The one connection the route's owner resolved and authorized (auth.ts, owners.ts).
    const [name] = request.connections!;
    const kind: PolicyKind = request.token && hasScope(request.token, 'write') ? 'write' : 'read';
    const handler = await handlerFor(name, kind);
    // The SDK's transport writes the answer itself.
    reply.hijack();
    reply.raw.setHeader('x-request-id', request.id);
    await handler(request.raw, reply.raw, request.body);
  }

  const schema = (withName: boolean) => ({
    tags: ['mcp'],
    summary: withName
      ? 'MCP (Streamable HTTP, stateless JSON) over one connection'
      : 'MCP over the only connection, or the one named by ?connection=',
    description:
      'JSON-RPC 2.0 messages of the Model Context Protocol. A read token gets read-only tools; a write token may write; money and live mode only when the server config allows (mcp.allowMoney, mcp.allowLive).',
    security: bearer,
    ...(withName
      ? {
          params: {
            type: 'object',
            required: ['name'],
            properties: { name: nameParam },
            additionalProperties: false,
          },
        }
      : {
          querystring: {
            type: 'object',
            properties: { connection: nameParam },
            additionalProperties: false,
          },
        }),
    body: {},
    response: {
      200: { description: 'the JSON-RPC answer', content: { 'application/json': { schema: {} } } },
      ...errorResponses,
    },
  });

  return async (app: FastifyInstance) => {
    for (const url of ['/mcp', '/mcp/:name']) {
      const withName = url.includes(':name');
      app.post(url, {
        config: { access: 'read', owner: 'connection' },
        schema: schema(withName),
        handler: serve,
      });
      // Session streams (GET) and session ends (DELETE) do not exist on a stateless endpoint.
      app.route({
        method: ['GET', 'DELETE'],
        url,
        config: { access: 'read', owner: 'connection' },
        schema: { hide: true },
        handler: serve,
      });
    }
  };
}
