/** JSON schemas and helpers shared by the billing route files (billing.ts, billing-queue.ts). */
import { parse as parseYaml } from 'yaml';
import { ConnectorError } from '../../errors.ts';
import { anyObject, bearer, errorResponses, nameParam } from '../schemas.ts';

export const billingTags = ['billing'];
export const name = { ...nameParam, description: 'integration or catalog name' } as const;
export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name },
  additionalProperties: false,
} as const;
export const reference = {
  type: 'string',
  minLength: 1,
  maxLength: 500,
  description: 'a secret reference (env:NAME or file:PATH), never the key',
} as const;
export const waitProperty = {
  type: 'boolean',
  default: false,
  description: 'run the jobs in this request and answer when they settled (default: enqueue only)',
} as const;
export const plan = {
  anyOf: [anyObject, { type: 'string', minLength: 1 }],
  description: 'the plan file: as an object, or its YAML text',
} as const;
export const rows = { type: 'object', properties: { data: { type: 'array', items: anyObject } } } as const;

/** A plan given as YAML text is read here, with an error naming the field, never quoting the text. */
export function planBody(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseYaml(value);
  } catch (error) {
    throw new ConnectorError('INVALID_ARGUMENT', `plan: not valid YAML (${(error as Error).name})`, {
      field: 'plan',
    });
  }
}

export const schemaOf = (summary: string, extra: object = {}) => ({
  tags: billingTags,
  summary,
  security: bearer,
  response: { 200: anyObject, 201: anyObject, 202: anyObject, ...errorResponses },
  ...extra,
});
