/** Named connections: list, show, create, delete, test. Definitions hold secret references only. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkClientReach, clientSecretsDir, connectionReach } from '../../connection/grants.ts';
import type { ConnectionFileInput } from '../../connection/index.ts';
import { ConnectorError } from '../../errors.ts';
import { checkConnectionDefinition, resolveDefinition } from '../config.ts';
import type { ConnectionRecord } from '../ports.ts';
import type { ServerState } from '../state.ts';
import { visibleTo } from '../auth.ts';
import { anyObject, bearer, connectionParams, errorResponses } from '../schemas.ts';

const connectionView = {
  type: 'object',
  required: ['name', 'origin', 'definition', 'createdAt', 'updatedAt'],
  properties: {
    name: { type: 'string' },
    origin: { type: 'string', enum: ['config', 'file', 'api'] },
    definition: { ...anyObject, description: 'the connection file; secrets as env:/file: references' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const view = (r: ConnectionRecord) => ({
  name: r.name,
  origin: r.origin,
  definition: r.definition,
  createdAt: new Date(r.createdAt).toISOString(),
  updatedAt: new Date(r.updatedAt).toISOString(),
});

export function connectionRoutes(state: ServerState) {
  return async (app: FastifyInstance) => {
    const tags = ['connections'];
    app.get('/api/connections', {
      config: { access: 'read', owner: 'filtered' },
      schema: {
        tags,
        summary: 'Connections this token may use',
        security: bearer,
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: connectionView } } },
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const all = await state.ports.connections.list();
        return { data: all.filter((r) => visibleTo(request, r.name)).map(view) };
      },
    });

    app.post('/api/connections', {
      config: { access: 'admin', owner: 'server' },
      schema: {
        tags,
        summary: 'Create a connection (secrets as env:/file: references, resolved on the server)',
        security: bearer,
        body: { ...anyObject, required: ['name'] },
        response: { 201: connectionView, ...errorResponses },
      },
      handler: async (request: FastifyRequest<{ Body: Record<string, unknown> }>, reply) => {
        const definition = checkConnectionDefinition(request.body, 'body') as ConnectionFileInput;
        const name = definition.name;
        // Only what the operator granted clients: its secrets, Stripe addresses and proxies.
        const baseDir = clientSecretsDir(state.config.api, state.config.baseDir, state.baseDir);
        checkClientReach(connectionReach(definition), state.config.api, state.config.baseDir);
        if (await state.ports.connections.get(name))
          throw new ConnectorError('CONNECTION_EXISTS', `a connection named "${name}" exists already`, {
            field: 'name',
          });
        // Resolving now refuses a reference the server cannot read, before anything is stored.
        resolveDefinition(definition, baseDir, state.env);
        await state.ports.connections.put({ name, definition, origin: 'api', baseDir });
        return reply.code(201).send(view((await state.ports.connections.get(name))!));
      },
    });

    app.get('/api/connections/:name', {
      config: { access: 'read', owner: 'connection' },
      schema: {
        tags,
        summary: 'Show a connection',
        security: bearer,
        params: connectionParams,
        response: { 200: connectionView, ...errorResponses },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string } }>) =>
        view(await state.registry.record(request.params.name)),
    });

    app.delete('/api/connections/:name', {
      config: { access: 'admin', owner: 'server' },
      schema: {
        tags,
        summary: 'Delete a connection (its gateway is closed)',
        security: bearer,
        params: connectionParams,
        response: {
          200: { type: 'object', properties: { name: { type: 'string' }, deleted: { type: 'boolean' } } },
          ...errorResponses,
        },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string } }>) => {
        const { name } = request.params;
        await state.registry.record(name);
        await state.registry.retire(name);
        return { name, deleted: await state.ports.connections.delete(name) };
      },
    });

    app.get('/api/connections/:name/test', {
      config: { access: 'read', owner: 'connection' },
      schema: {
        tags,
        summary: 'Call Stripe with the connection: its account, mode and API version',
        security: bearer,
        params: connectionParams,
        response: {
          200: {
            type: 'object',
            properties: {
              connection: { type: 'string' },
              account: { type: 'string' },
              mode: { type: 'string', enum: ['test', 'live'] },
              apiVersion: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string } }>) => {
        const { gateway } = await state.registry.context(request.params.name);
        const account = await gateway.request<{ id: string }>({ method: 'GET', path: '/v1/account' });
        return {
          connection: request.params.name,
          account: account.id,
          mode: gateway.mode,
          apiVersion: gateway.apiVersion,
        };
      },
    });
  };
}
