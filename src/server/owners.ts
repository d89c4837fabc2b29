/**
 * The owner resolver of routes that name a connection (auth.ts): the path's `name`, else the
 * `?connection=` of MCP's `/mcp`, else the server's only connection (what `/mcp` serves when there
 * is just one).
 */
import type { FastifyRequest } from 'fastify';
import { ConnectorError } from '../errors.ts';
import type { OwnerResolver } from './auth.ts';
import type { ServerState } from './state.ts';

export function connectionOwner(state: Pick<ServerState, 'ports'>): OwnerResolver {
  return async (request: FastifyRequest) => {
    const named =
      (request.params as { name?: string } | undefined)?.name ??
      (request.query as { connection?: string } | undefined)?.connection;
    if (named) return [named];
    const names = (await state.ports.connections.list()).map((c) => c.name);
    if (names.length === 1) return names;
    throw new ConnectorError(
      names.length ? 'INVALID_ARGUMENT' : 'UNKNOWN_CONNECTION',
      names.length
        ? `this server has ${names.length} connections: use /mcp/{name} or /mcp?connection=NAME (one of ${names.join(', ')})`
        : 'this server has no connection yet: create one first',
      { field: 'connection' },
    );
  };
}
