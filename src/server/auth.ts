/**
 * Bearer-token auth for every route except those marked public (health, readiness, docs, the
 * webhook receiver). 401 when the token is missing, unknown or revoked; 403 when it lacks the
 * route's scope or the connection named in the path. The route declares what it needs in its
 * config, so no handler can forget the check.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConnectorError } from '../errors.ts';
import type { Scope, TokenRecord, TokenRepo } from './ports.ts';
import { bearerToken, hasScope, mayUseConnection } from './tokens.ts';

/** `public`: no token; a scope: a token with that scope (admin ⊇ write ⊇ read). */
export type Access = 'public' | Scope;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    token?: TokenRecord;
  }
}

export function installAuth(app: FastifyInstance, tokens: TokenRepo): void {
  app.decorateRequest('token', undefined);
  app.addHook('onRequest', async (request) => {
    // A route that forgot to say needs admin; an unknown path needs just a valid token (then 404).
    const access = request.routeOptions.config?.access ?? (request.is404 ? 'read' : 'admin');
    if (access === 'public') return;
    request.token = await authenticate(request, tokens);
    requireScope(request, access);
    const name = (request.params as Record<string, unknown> | undefined)?.name;
    if (typeof name === 'string') requireConnection(request, name);
  });
}

async function authenticate(request: FastifyRequest, tokens: TokenRepo): Promise<TokenRecord> {
  const text = bearerToken(request.headers.authorization);
  if (!text)
    throw new ConnectorError('UNAUTHENTICATED', 'an API token is required: send Authorization: Bearer sct_…');
  // One look-up by the token's hash, which also records the use.
  const record = await tokens.verify(text);
  if (!record) throw new ConnectorError('UNAUTHENTICATED', 'the API token is unknown or revoked');
  return record;
}

export function requireScope(request: FastifyRequest, scope: Scope): void {
  const token = request.token;
  if (!token || !hasScope(token, scope))
    throw new ConnectorError('FORBIDDEN', `this needs a token with the ${scope} scope`, { scope });
}

export function requireConnection(request: FastifyRequest, name: string): void {
  const token = request.token;
  if (token && !mayUseConnection(token, name))
    throw new ConnectorError('FORBIDDEN', `this token may not use connection "${name}"`, { field: 'name' });
}
