/** SQL or filter queries on a connection (POST, for long statements) and their plans. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { explain } from '../../query/index.ts';
import type { ServerState } from '../state.ts';
import { anyObject, bearer, connectionParams, errorResponses } from '../schemas.ts';
import { answerPage, listProperties, pageResponse, type ListInput } from './entities.ts';
import { sendPage } from '../output.ts';

const queryBody = {
  type: 'object',
  properties: {
    entity: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'needed with filter; sql names it in FROM',
    },
    ...listProperties,
  },
  additionalProperties: false,
} as const;

const { format: _format, shape: _shape, cursor: _cursor, ...explainProperties } = queryBody.properties;

export function queryRoutes(state: ServerState) {
  return async (app: FastifyInstance) => {
    const tags = ['query'];
    app.post('/api/connections/:name/query', {
      config: { access: 'read', owner: 'connection' },
      schema: {
        tags,
        summary: 'Run a filter or SQL query; cursor pages as the entity list',
        security: bearer,
        params: connectionParams,
        body: queryBody,
        response: { 200: pageResponse, ...errorResponses },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string }; Body: ListInput }>, reply) => {
        const { page, format, shape } = await answerPage(state, reply, request.params.name, request.body);
        return sendPage(reply, page, format, shape, request.id);
      },
    });

    app.post('/api/connections/:name/explain', {
      config: { access: 'read', owner: 'connection' },
      schema: {
        tags,
        summary: 'The plan of a query: Stripe calls, what is pushed down, what is checked locally',
        security: bearer,
        params: connectionParams,
        body: { ...queryBody, properties: explainProperties },
        response: { 200: anyObject, ...errorResponses },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string }; Body: ListInput }>) => {
        await state.registry.record(request.params.name);
        const { entity, filter, sql, limit } = request.body;
        return explain(state.catalog, { entity, filter, sql, limit });
      },
    });
  };
}
