/**
 * An independent TypeSpec → JSON Schema converter for validating emulator responses against the
 * response schemas the catalog took from Stripe's OpenAPI description. Objects are closed
 * (additionalProperties: false) so off-schema fields the emulator might leak are caught.
 */
import AjvModule, { type ValidateFunction } from 'ajv';

// ajv is CommonJS; under NodeNext its default export is the module object.
const Ajv = (AjvModule as any).default ?? AjvModule;
import type { StripeCatalog, TypeSpec } from '../../../src/catalog/index.ts';

type JsonSchema = Record<string, unknown>;

function convert(spec: TypeSpec): JsonSchema {
  let out: JsonSchema;
  switch (spec.type) {
    case 'string':
      out = { type: 'string' };
      break;
    case 'integer':
    case 'timestamp':
      out = { type: 'integer' };
      break;
    case 'number':
      out = { type: 'number' };
      break;
    case 'boolean':
      out = { type: 'boolean' };
      break;
    case 'enum':
      out = { enum: spec.values ?? [] };
      break;
    case 'array':
      out = { type: 'array', items: spec.items ? convert(spec.items) : {} };
      break;
    case 'ref':
      out = { $ref: `stripe#/definitions/${encodeURIComponent(spec.ref as string)}` };
      break;
    case 'anyOf':
      out = { anyOf: (spec.of ?? []).map(convert) };
      break;
    case 'object': {
      const properties: Record<string, JsonSchema> = {};
      for (const [k, v] of Object.entries(spec.fields ?? {})) properties[k] = convert(v);
      out = { type: 'object', properties };
      if (spec.requiredFields?.length) out.required = spec.requiredFields;
      // Stripe sends total_count on list envelopes (invoice lines, charge refunds) though the spec omits it.
      if (spec.fields?.has_more && spec.fields?.data) properties.total_count = { type: 'integer' };
      if (spec.additional) out.additionalProperties = convert(spec.additional);
      else if (spec.fields) out.additionalProperties = false;
      break;
    }
    default:
      out = {};
  }
  if (spec.expandable?.length) {
    out = {
      anyOf: [out, ...spec.expandable.map((r) => ({ $ref: `stripe#/definitions/${encodeURIComponent(r)}` }))],
    };
  }
  if (spec.nullable) out = { anyOf: [{ type: 'null' }, out] };
  return out;
}

export class ResponseValidator {
  private readonly ajv: any;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly definitions: Record<string, JsonSchema> = {};

  constructor(readonly catalog: StripeCatalog) {
    for (const [name, spec] of Object.entries(catalog.raw.schemas))
      this.definitions[encodeURIComponent(name)] = convert(spec);
    this.ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false });
    // One shared document, so each referenced schema is compiled once for all operations.
    this.ajv.addSchema({ $id: 'stripe', definitions: this.definitions });
  }

  private compile(key: string, schema: JsonSchema): ValidateFunction {
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.ajv.compile(schema) as ValidateFunction;
      this.cache.set(key, fn);
    }
    return fn;
  }

  /** Validates a body for a response shape (object of one of resources, list, search). */
  validate(kind: string, resources: string[], body: unknown): string | undefined {
    const one = { anyOf: resources.map((r) => ({ $ref: `stripe#/definitions/${encodeURIComponent(r)}` })) };
    let schema: JsonSchema = one;
    if (kind === 'list') {
      schema = {
        type: 'object',
        required: ['object', 'data', 'has_more', 'url'],
        additionalProperties: false,
        properties: {
          object: { enum: ['list'] },
          data: { type: 'array', items: one },
          has_more: { type: 'boolean' },
          url: { type: 'string' },
          total_count: { type: 'integer' },
        },
      };
    } else if (kind === 'search') {
      schema = {
        type: 'object',
        required: ['object', 'data', 'has_more', 'url', 'next_page'],
        additionalProperties: false,
        properties: {
          object: { enum: ['search_result'] },
          data: { type: 'array', items: one },
          has_more: { type: 'boolean' },
          url: { type: 'string' },
          next_page: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          total_count: { type: 'integer' },
        },
      };
    }
    const fn = this.compile(`${kind}:${resources.join(',')}`, schema);
    if (fn(body)) return undefined;
    return this.ajv.errorsText(fn.errors?.slice(0, 3));
  }
}
