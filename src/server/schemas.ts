/** JSON schemas shared by the route groups (each group keeps its own next to its routes). */
import { SHAPES, type Shape } from '../entities/shape.ts';

export const anyObject = { type: 'object', additionalProperties: true } as const;

/** Every failure answers with the one error format. */
export const errorResponses = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;

export const bearer = [{ bearer: [] }];

export const nameParam = {
  type: 'string',
  pattern: '^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$',
  description: 'connection name',
} as const;

export const connectionParams = {
  type: 'object',
  required: ['name'],
  properties: { name: nameParam },
  additionalProperties: false,
} as const;

export const entityParams = {
  type: 'object',
  required: ['name', 'entity'],
  properties: { name: nameParam, entity: { type: 'string', minLength: 1, maxLength: 100 } },
  additionalProperties: false,
} as const;

export const objectParams = {
  type: 'object',
  required: ['name', 'entity', 'id'],
  properties: { ...entityParams.properties, id: { type: 'string', minLength: 1, maxLength: 255 } },
  additionalProperties: false,
} as const;

export const shapeQuery = {
  type: 'object',
  properties: { shape: { type: 'string', enum: SHAPES, default: 'native' } },
  additionalProperties: false,
} as const;

/** Stripe accepts keys up to 255 characters; the same key twice makes one object. */
export const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export function idempotencyKey(headers: Record<string, unknown>): string | undefined {
  const key = headers['idempotency-key'];
  return typeof key === 'string' ? key : undefined;
}

/** A write's options from its request: the `shape` asked for and the client's Idempotency-Key. */
export function writeOptions(request: { headers: Record<string, unknown>; query: unknown }): {
  shape?: Shape;
  idempotencyKey?: string;
} {
  const key = idempotencyKey(request.headers);
  return { shape: (request.query as { shape?: Shape }).shape, ...(key ? { idempotencyKey: key } : {}) };
}
