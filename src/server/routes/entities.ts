/**
 * Entities of a connection: list (filter or SQL, cursor pages, json/ndjson/csv), create, and get,
 * update, delete one. Writes pass the client's Idempotency-Key to Stripe.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createEntity, deleteEntity, getEntity, updateEntity, type Shape } from '../../entities/index.ts';
import { queryPage } from '../cursor.ts';
import { FORMATS, sendPage, type Format } from '../output.ts';
import { SHAPES } from '../../entities/shape.ts';
import type { ServerState } from '../state.ts';
import {
  anyObject,
  bearer,
  entityParams,
  errorResponses,
  idempotencyHeaders,
  objectParams,
  shapeQuery,
  writeOptions,
} from '../schemas.ts';

export const PAGE_LIMIT_MAX = 1000;
export const PAGE_LIMIT_DEFAULT = 100;

/** Query parameters of a list; also the body of /query. */
export const listProperties = {
  filter: { type: 'string', maxLength: 10_000, description: "SQL WHERE condition, e.g. email = 'a@b.c'" },
  sql: { type: 'string', maxLength: 10_000, description: 'a SELECT statement over the entity' },
  limit: {
    type: 'integer',
    minimum: 1,
    maximum: PAGE_LIMIT_MAX,
    description: `rows in this page (json: default ${PAGE_LIMIT_DEFAULT}; ndjson/csv: default all, streamed)`,
  },
  cursor: { type: 'string', maxLength: 2048, description: 'next_cursor of the previous page' },
  format: { type: 'string', enum: FORMATS, default: 'json' },
  shape: { type: 'string', enum: SHAPES, description: 'native (default; csv: flat), flat or seed' },
} as const;

export const pageResponse = {
  description: 'a page; ndjson and csv are streamed, their next cursor in the x-next-cursor trailer',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { data: { type: 'array', items: anyObject }, next_cursor: { type: ['string', 'null'] } },
      },
    },
    'application/x-ndjson': { schema: { type: 'string' } },
    'text/csv': { schema: { type: 'string' } },
  },
} as const;

export interface ListInput {
  filter?: string;
  sql?: string;
  limit?: number;
  cursor?: string;
  format?: Format;
  shape?: Shape;
  entity?: string;
}

/** Runs one page of a query on a connection and sends it in the asked format. */
export async function answerPage(state: ServerState, reply: FastifyReply, name: string, input: ListInput) {
  const ctx = await state.registry.context(name);
  const format = input.format ?? 'json';
  const limit = input.limit ?? (format === 'json' ? PAGE_LIMIT_DEFAULT : undefined);
  const shape = input.shape ?? (format === 'csv' ? 'flat' : 'native');
  const abort = new AbortController();
  // A client that goes away before the end stops the paging (backpressure handles a slow one).
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const page = queryPage(
    ctx,
    { entity: input.entity, filter: input.filter, sql: input.sql, limit, cursor: input.cursor },
    abort.signal,
  );
  return { page, format, shape };
}

type Req<P, B = unknown, Q = unknown> = FastifyRequest<{ Params: P; Body: B; Querystring: Q }>;
type EntityP = { name: string; entity: string };
type ObjectP = EntityP & { id: string };

export function entityRoutes(state: ServerState) {
  return async (app: FastifyInstance) => {
    const tags = ['entities'];
    const one = { 200: anyObject, ...errorResponses };

    app.get('/api/connections/:name/entities/:entity', {
      config: { access: 'read', owner: 'connection' },
      schema: {
        tags,
        summary: 'List an entity, optionally filtered; cursor pages',
        security: bearer,
        params: entityParams,
        querystring: { type: 'object', properties: listProperties, additionalProperties: false },
        response: { 200: pageResponse, ...errorResponses },
      },
      handler: async (request: Req<EntityP, unknown, ListInput>, reply) => {
        const { page, format, shape } = await answerPage(state, reply, request.params.name, {
          ...request.query,
          entity: request.params.entity,
        });
        return sendPage(reply, page, format, shape, request.id);
      },
    });

    app.post('/api/connections/:name/entities/:entity', {
      config: { access: 'write', owner: 'connection' },
      schema: {
        tags,
        summary: 'Create an object (fields in any case: Currency or currency)',
        security: bearer,
        params: entityParams,
        querystring: shapeQuery,
        headers: idempotencyHeaders,
        body: anyObject,
        response: { 201: anyObject, ...errorResponses },
      },
      handler: async (request: Req<EntityP, Record<string, unknown>, { shape: Shape }>, reply) => {
        const ctx = await state.registry.context(request.params.name);
        const created = await createEntity(ctx, request.params.entity, request.body, writeOptions(request));
        return reply.code(201).send(created);
      },
    });

    app.get('/api/connections/:name/entities/:entity/:id', {
      config: { access: 'read', owner: 'connection' },
      schema: {
        tags,
        summary: 'Get one object',
        security: bearer,
        params: objectParams,
        querystring: shapeQuery,
        response: one,
      },
      handler: async (request: Req<ObjectP, unknown, { shape: Shape }>) => {
        const ctx = await state.registry.context(request.params.name);
        return getEntity(ctx, request.params.entity, request.params.id, { shape: request.query.shape });
      },
    });

    app.patch('/api/connections/:name/entities/:entity/:id', {
      config: { access: 'write', owner: 'connection' },
      schema: {
        tags,
        summary: 'Update one object',
        security: bearer,
        params: objectParams,
        querystring: shapeQuery,
        headers: idempotencyHeaders,
        body: anyObject,
        response: one,
      },
      handler: async (request: Req<ObjectP, Record<string, unknown>, { shape: Shape }>) => {
        const ctx = await state.registry.context(request.params.name);
        return updateEntity(
          ctx,
          request.params.entity,
          request.params.id,
          request.body,
          writeOptions(request),
        );
      },
    });

    app.delete('/api/connections/:name/entities/:entity/:id', {
      config: { access: 'write', owner: 'connection' },
      schema: {
        tags,
        summary: 'Delete one object',
        security: bearer,
        params: objectParams,
        querystring: shapeQuery,
        response: one,
      },
      handler: async (request: Req<ObjectP, unknown, { shape: Shape }>) => {
        const ctx = await state.registry.context(request.params.name);
        return deleteEntity(ctx, request.params.entity, request.params.id, { shape: request.query.shape });
      },
    });
  };
}
