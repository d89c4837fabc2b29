/**
 * The Google connector task's form as one route, so an integration flow written for the seed ports
 * over unchanged: `{ entity, operation, entityId, filterClause, connectorInputPayload }` →
 * `{ connectorOutputPayload }`, in the seed's shape. `operation` is LIST, GET, CREATE, UPDATE or
 * DELETE on `entity`; any other value (or `action`) names an action run with the payload.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runAction } from '../../actions/index.ts';
import { createEntity, deleteEntity, getEntity, updateEntity } from '../../entities/index.ts';
import { ConnectorError } from '../../errors.ts';
import { requireScope } from '../auth.ts';
import { queryPage } from '../cursor.ts';
import { shapeObject } from '../../entities/index.ts';
import type { ServerState } from '../state.ts';
import type { ConnectorContext } from '../../context.ts';
import {
  anyObject,
  bearer,
  connectionParams,
  errorResponses,
  idempotencyHeaders,
  idempotencyKey,
} from '../schemas.ts';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './entities.ts';

const ENTITY_OPERATIONS = ['LIST', 'GET', 'CREATE', 'UPDATE', 'DELETE'] as const;
type EntityOperation = (typeof ENTITY_OPERATIONS)[number];

interface Task {
  entity?: string;
  operation?: string;
  action?: string;
  entityId?: string;
  filterClause?: string;
  connectorInputPayload?: Record<string, unknown>;
  pageSize?: number;
  pageToken?: string;
}

const taskBody = {
  type: 'object',
  properties: {
    entity: { type: 'string', minLength: 1, maxLength: 100 },
    operation: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'LIST, GET, CREATE, UPDATE, DELETE or an action name',
    },
    action: { type: 'string', minLength: 1, maxLength: 100 },
    entityId: { type: 'string', minLength: 1, maxLength: 255 },
    filterClause: { type: 'string', maxLength: 10_000 },
    connectorInputPayload: anyObject,
    pageSize: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX },
    pageToken: { type: 'string', maxLength: 2048 },
  },
  additionalProperties: false,
} as const;

function required(value: string | undefined, field: string, operation: string): string {
  if (!value) throw new ConnectorError('MISSING_FIELD', `${field} is required for ${operation}`, { field });
  return value;
}

async function runEntityTask(
  ctx: ConnectorContext,
  op: EntityOperation,
  task: Task,
  key: string | undefined,
) {
  const entity = required(task.entity, 'entity', op);
  const payload = task.connectorInputPayload ?? {};
  const opts = { shape: 'seed' as const, ...(key ? { idempotencyKey: key } : {}) };
  switch (op) {
    case 'LIST': {
      const page = queryPage(ctx, {
        entity,
        filter: task.filterClause || undefined,
        limit: task.pageSize ?? PAGE_LIMIT_DEFAULT,
        cursor: task.pageToken,
      });
      const rows: unknown[] = [];
      for await (const row of page.rows) rows.push(shapeObject(row, 'seed'));
      const next = page.nextCursor();
      return { connectorOutputPayload: rows, ...(next ? { nextPageToken: next } : {}) };
    }
    case 'GET':
      return {
        connectorOutputPayload: await getEntity(ctx, entity, required(task.entityId, 'entityId', op), opts),
      };
    case 'CREATE':
      return { connectorOutputPayload: await createEntity(ctx, entity, payload, opts) };
    case 'UPDATE':
      return {
        connectorOutputPayload: await updateEntity(
          ctx,
          entity,
          required(task.entityId, 'entityId', op),
          payload,
          opts,
        ),
      };
    case 'DELETE':
      return {
        connectorOutputPayload: await deleteEntity(
          ctx,
          entity,
          required(task.entityId, 'entityId', op),
          opts,
        ),
      };
  }
}

export function executeRoutes(state: ServerState) {
  return async (app: FastifyInstance) => {
    app.post('/api/connections/:name/execute', {
      // LIST and GET need read; everything else write, checked once the operation is known.
      config: { access: 'read', owner: 'connection' },
      schema: {
        tags: ['execute'],
        summary: "The Google connector task's form: entity operations and actions in the seed's shape",
        security: bearer,
        params: connectionParams,
        headers: idempotencyHeaders,
        body: taskBody,
        response: {
          200: {
            type: 'object',
            required: ['connectorOutputPayload'],
            properties: { connectorOutputPayload: {}, nextPageToken: { type: 'string' } },
          },
          ...errorResponses,
        },
      },
      handler: async (request: FastifyRequest<{ Params: { name: string }; Body: Task }>) => {
        const task = request.body;
        const operation = (task.operation ?? '').toUpperCase();
        const entityOp = (ENTITY_OPERATIONS as readonly string[]).includes(operation)
          ? (operation as EntityOperation)
          : undefined;
        if (!entityOp && !task.action && !task.operation)
          throw new ConnectorError(
            'MISSING_FIELD',
            'operation is required (LIST, GET, CREATE, UPDATE, DELETE or an action)',
            {
              field: 'operation',
            },
          );
        if (entityOp !== 'LIST' && entityOp !== 'GET') requireScope(request, 'write');
        const ctx = await state.registry.context(request.params.name);
        const key = idempotencyKey(request.headers);
        if (entityOp) return runEntityTask(ctx, entityOp, task, key);
        const output = await runAction(
          ctx,
          task.action ?? task.operation!,
          task.connectorInputPayload ?? {},
          {
            shape: 'seed',
            ...(key ? { idempotencyKey: key } : {}),
          },
        );
        return { connectorOutputPayload: output };
      },
    });
  };
}
