/**
 * The entity engine: Get, Create, Update, Delete on any catalog resource. The operation comes from
 * the catalog (nested variants chosen by which parent ids are given), the payload is mapped and
 * checked before any call, and the answer is returned in the requested shape.
 */
import type { CatalogOperation, Entity, OperationKind } from '../catalog/index.ts';
import { operationKinds } from '../catalog/describe.ts';
import type { ConnectorContext } from '../context.ts';
import type { GatewayRequest } from '../gateway/types.ts';
import { ConnectorError } from '../errors.ts';
import { fillPath, missingIdError, takePathIds } from './ids.ts';
import { expandNestedLists } from './lists.ts';
import { isPlainObject, mapPayload, type Payload } from './payload.ts';
import { checkEntityRules } from './rules.ts';
import { checkShape, shapeObject, type Shape } from './shape.ts';

export { flatten } from './flatten.ts';
export { mapPayload } from './payload.ts';
export type { Payload } from './payload.ts';
export { shapeObject, seedRow, type Shape } from './shape.ts';
export { expandNestedLists } from './lists.ts';
export { csvRows } from './csv.ts';

type Json = Record<string, any>;

/** What an entity call answers: the object in the requested shape (native, flat or the seed's row). */
export type EntityResult = Record<string, any>;

export interface EntityCallOptions {
  /** Parent ids for nested entities: `{ customer: 'cus_1' }` or `{ CustomerId: 'cus_1' }`. */
  parents?: Record<string, string>;
  /** `native` (default), `flat` or `seed`. */
  shape?: Shape;
  idempotencyKey?: string;
  /** Fetch lists nested in the answer completely (not cut at 10). */
  expandLists?: boolean;
  expand?: string[];
  stripeAccount?: string;
  /** Fields where '' unsets the value although the catalog does not say so. */
  allowEmpty?: string[];
}

/** A planned call: what would be sent, before it is sent (also used by actions). */
export interface PlannedCall {
  entity: Entity;
  operation: CatalogOperation;
  path: string;
  params: Payload;
}

/** Which operation of a kind serves these inputs, with its path ids; errors name the fault. */
export function planCall(
  ctx: ConnectorContext,
  entityOrName: Entity | string,
  kind: OperationKind,
  payload: Payload,
  given: Record<string, string | undefined>,
  opts: { allowEmpty?: string[]; target?: string; operation?: CatalogOperation } = {},
): PlannedCall {
  if (!isPlainObject(payload)) {
    throw new ConnectorError('INVALID_ARGUMENT', 'the payload must be a JSON object', { field: 'payload' });
  }
  const entity = typeof entityOrName === 'string' ? ctx.catalog.entity(entityOrName) : entityOrName;
  const candidates = opts.operation ? [opts.operation] : ctx.catalog.operationsOf(entity, kind);
  if (!candidates.length) {
    const has = operationKinds(entity);
    throw new ConnectorError(
      'OPERATION_NOT_SUPPORTED',
      `${entity.entity} has no ${kind} operation in Stripe's API; it has: ${has.join(', ') || 'none'}`,
      { entity: entity.entity, operation: kind, operations: has },
    );
  }
  const target = opts.target ?? `${kind} ${entity.entity}`;
  const attempts = candidates.map((operation) => ({
    operation,
    ...takePathIds(ctx.catalog, entity, operation, payload, given),
  }));
  const chosen = attempts.find((a) => a.missing.length === 0);
  if (!chosen) throw missingIdError(ctx.catalog, entity, attempts[0].missing, target);
  checkEntityRules(ctx.catalog, entity, chosen.body);
  const allowEmpty = [...ctx.catalog.extraEmptyable(entity, kind), ...(opts.allowEmpty ?? [])];
  const params = mapPayload(ctx.catalog, chosen.operation.params, chosen.body, { target, allowEmpty });
  return { entity, operation: chosen.operation, path: fillPath(chosen.operation.path, chosen.ids), params };
}

/** The gateway request for a planned call; actions that download a file send the same one. */
export function gatewayRequest(call: PlannedCall, opts: EntityCallOptions = {}): GatewayRequest {
  return {
    method: call.operation.method,
    path: call.path,
    params: Object.keys(call.params).length ? call.params : undefined,
    // Stripe takes idempotency keys on POST only; the gateway generates one when none is given.
    ...(call.operation.method === 'POST' && opts.idempotencyKey
      ? { idempotencyKey: opts.idempotencyKey }
      : {}),
    ...(opts.stripeAccount ? { stripeAccount: opts.stripeAccount } : {}),
  };
}

export async function send(
  ctx: ConnectorContext,
  call: PlannedCall,
  opts: EntityCallOptions = {},
): Promise<Json> {
  return ctx.gateway.request<Json>(gatewayRequest(call, opts));
}

/** A missing id is MISSING_FIELD; what an id may contain is checked with the other path ids. */
function requireId(id: unknown, entity: string): string {
  if (typeof id !== 'string' || id === '') {
    throw new ConnectorError('MISSING_FIELD', `missing the id (EntityId) of the ${entity}`, {
      field: 'EntityId',
    });
  }
  return id;
}

async function finish(ctx: ConnectorContext, object: Json, opts: EntityCallOptions): Promise<Json> {
  if (opts.expandLists) await expandNestedLists(ctx, object);
  return object;
}

export async function getEntity(
  ctx: ConnectorContext,
  entity: string,
  id: string,
  opts: EntityCallOptions = {},
): Promise<EntityResult> {
  const shape = checkShape(opts.shape);
  const payload: Payload = opts.expand?.length ? { expand: opts.expand } : {};
  const call = planCall(ctx, entity, 'retrieve', payload, { ...opts.parents, id: requireId(id, entity) });
  const object = await finish(ctx, await send(ctx, call, opts), opts);
  return shapeObject(object, shape);
}

/** Create and Update differ only in the operation and whether the object's id is in the path. */
async function writeEntity(
  ctx: ConnectorContext,
  entity: string,
  kind: 'create' | 'update',
  payload: Payload,
  ids: Record<string, string>,
  opts: EntityCallOptions,
): Promise<EntityResult> {
  const shape = checkShape(opts.shape);
  const call = planCall(ctx, entity, kind, withExpand(payload, opts), ids, { allowEmpty: opts.allowEmpty });
  const object = await finish(ctx, await send(ctx, call, opts), opts);
  return shape === 'seed' ? { Id: object.id } : shapeObject(object, shape);
}

export async function createEntity(
  ctx: ConnectorContext,
  entity: string,
  payload: Payload,
  opts: EntityCallOptions = {},
): Promise<EntityResult> {
  return writeEntity(ctx, entity, 'create', payload, { ...opts.parents }, opts);
}

export async function updateEntity(
  ctx: ConnectorContext,
  entity: string,
  id: string,
  payload: Payload,
  opts: EntityCallOptions = {},
): Promise<EntityResult> {
  return writeEntity(ctx, entity, 'update', payload, { ...opts.parents, id: requireId(id, entity) }, opts);
}

export async function deleteEntity(
  ctx: ConnectorContext,
  entity: string,
  id: string,
  opts: EntityCallOptions = {},
): Promise<EntityResult> {
  const shape = checkShape(opts.shape);
  const call = planCall(ctx, entity, 'delete', {}, { ...opts.parents, id: requireId(id, entity) });
  const object = await send(ctx, call, opts);
  return shape === 'seed' ? { Id: object.id ?? id, Success: 'true' } : shapeObject(object, shape);
}

function withExpand(payload: Payload, opts: EntityCallOptions): Payload {
  return opts.expand?.length ? { ...payload, expand: opts.expand } : payload;
}
