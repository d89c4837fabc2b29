/** The catalog: entities, one entity described, actions with their inputs. No Stripe call. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listActions } from '../../actions/index.ts';
import { describeEntity, operationKinds } from '../../catalog/describe.ts';
import type { ServerState } from '../state.ts';
import { anyObject, bearer, errorResponses } from '../schemas.ts';

const entitySummary = {
  type: 'object',
  properties: {
    entity: { type: 'string' },
    resource: { type: 'string' },
    operations: { type: 'array', items: { type: 'string' } },
    searchable: { type: 'boolean' },
    actions: { type: 'array', items: { type: 'string' } },
  },
} as const;

export function catalogRoutes(state: ServerState) {
  return async (app: FastifyInstance) => {
    const tags = ['catalog'];
    app.get('/api/entities', {
      config: { access: 'read', owner: 'none' },
      schema: {
        tags,
        summary: 'Every entity with its operations and actions',
        security: bearer,
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: entitySummary } } },
          ...errorResponses,
        },
      },
      handler: async () => {
        const actions = state.catalog.actions();
        return {
          data: state.catalog.entities().map((e) => ({
            entity: e.entity,
            resource: e.id,
            operations: operationKinds(e),
            searchable: Boolean(e.searchable),
            actions: actions.filter((a) => a.entity === e).map((a) => a.name),
          })),
        };
      },
    });

    app.get('/api/entities/:entity', {
      config: { access: 'read', owner: 'none' },
      schema: {
        tags,
        summary: 'An entity: fields with types, operations with parameters, actions with inputs',
        security: bearer,
        params: {
          type: 'object',
          required: ['entity'],
          properties: { entity: { type: 'string', minLength: 1, maxLength: 100 } },
          additionalProperties: false,
        },
        response: { 200: anyObject, ...errorResponses },
      },
      handler: async (request: FastifyRequest<{ Params: { entity: string } }>) =>
        describeEntity(state.catalog, state.catalog.entity(request.params.entity)),
    });

    app.get('/api/actions', {
      config: { access: 'read', owner: 'none' },
      schema: {
        tags,
        summary: 'Every action with its inputs',
        security: bearer,
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: anyObject } } },
          ...errorResponses,
        },
      },
      handler: async () => ({ data: listActions({ catalog: state.catalog }) }),
    });
  };
}
