/**
 * Who may call what, in one place. Every route says two things in its config:
 *
 * - `access`: `public` (no token) or the scope it needs (admin ⊇ write ⊇ read). 401 when the token
 *   is missing, unknown or revoked; 403 without the scope.
 * - `owner`: how to find the connection(s) of the object it acts on, so the object is authorized,
 *   never the shape of the path. A token limited to connections may act only on objects of those
 *   connections: `connection` (the path's `name` is one), `trigger` (the path names a trigger: its
 *   connection counts), `trigger-input` (the body's connection, and that of the trigger it would
 *   replace), `server` (the server as a whole: creating connections, billing, whose integrations
 *   hold keys of their own, metrics: only a token not limited to connections), `filtered` (a list
 *   or stream that shows each token only its connections' rows; the handler filters with
 *   `visibleTo`), `none` (facts that belong to no connection: the catalog).
 *
 * A route that declares no owner counts as acting on the whole server, so a forgotten one refuses
 * every connection-limited token rather than letting one through. Objects are looked up by
 * resolvers the route groups register (`owners.register`), after the body is parsed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConnectorError } from '../errors.ts';
import type { Scope, TokenRecord, TokenRepo } from './ports.ts';
import { bearerToken, hasScope, mayUseConnection } from './tokens.ts';

/** `public`: no token; a scope: a token with that scope (admin ⊇ write ⊇ read). */
export type Access = 'public' | Scope;

export type Owner = 'connection' | 'trigger' | 'trigger-input' | 'server' | 'filtered' | 'none';

/** The connections an object of the request belongs to (a NOT_FOUND when there is no such object). */
export type OwnerResolver = (request: FastifyRequest) => Promise<string[]>;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    owner?: Owner;
  }
  interface FastifyRequest {
    token?: TokenRecord;
    /** The connections the route's object belongs to, once authorized (`connection` owner: one). */
    connections?: string[];
    /** Whether the request's token is still live (a long stream asks again, to end on revocation). */
    tokenStillValid?: () => Promise<boolean>;
  }
}

/** Resolvers by owner kind; route groups that own objects register theirs (the trigger routes). */
export class OwnerResolvers {
  private readonly resolvers = new Map<Owner, OwnerResolver>();

  register(owner: Owner, resolver: OwnerResolver): void {
    this.resolvers.set(owner, resolver);
  }

  resolve(owner: Owner, request: FastifyRequest): Promise<string[]> {
    const resolver = this.resolvers.get(owner);
    if (!resolver) throw new ConnectorError('INTERNAL', `no resolver for objects of kind "${owner}"`);
    return resolver(request);
  }
}

export function installAuth(app: FastifyInstance, tokens: TokenRepo, owners: OwnerResolvers): void {
  app.decorateRequest('token', undefined);
  app.decorateRequest('connections', undefined);
  app.decorateRequest('tokenStillValid', undefined);
  app.addHook('onRequest', async (request) => {
    // A route that forgot to say needs admin; an unknown path needs just a valid token (then 404).
    const access = request.routeOptions.config?.access ?? (request.is404 ? 'read' : 'admin');
    if (access === 'public') return;
    request.token = await authenticate(request, tokens);
    requireScope(request, access);
    const text = bearerToken(request.headers.authorization) as string;
    request.tokenStillValid = async () => (await tokens.verify(text)) !== undefined;
  });
  // After the body is parsed and validated: the owner of a new object may be named in the body.
  app.addHook('preHandler', async (request) => {
    const token = request.token;
    // A route that forgot to say acts on the whole server: no connection-limited token passes.
    const owner = request.routeOptions.config?.owner ?? 'server';
    if (!token || owner === 'none' || owner === 'filtered') return;
    if (owner === 'server') return requireWholeServer(token);
    const connections = await owners.resolve(owner, request);
    for (const name of connections) requireConnection(token, name);
    request.connections = connections;
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

export function requireConnection(token: TokenRecord, name: string): void {
  if (!mayUseConnection(token, name))
    throw new ConnectorError('FORBIDDEN', `this token may not use connection "${name}"`, {
      field: 'connection',
      connection: name,
    });
}

/** What acts on the server as a whole needs a token that is not limited to connections. */
export function requireWholeServer(token: TokenRecord): void {
  if (token.connections !== null)
    throw new ConnectorError(
      'FORBIDDEN',
      `this token is limited to connection${token.connections.length === 1 ? '' : 's'} ${token.connections.join(', ')}: this needs a token for the whole server`,
    );
}

/** For `filtered` routes: whether a row of connection `name` may be shown to the request's token. */
export function visibleTo(request: FastifyRequest, name: string): boolean {
  return request.token !== undefined && mayUseConnection(request.token, name);
}
