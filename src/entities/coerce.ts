/**
 * Value coercion against a catalog TypeSpec: what users and other tools send (JSON floats for
 * integers, strings from forms and CSV, ISO dates) becomes what Stripe accepts, or a clear error
 * naming the field. `strict` refuses cross-type conversions so `anyOf` picks the exact match first.
 */
import type { StripeCatalog, TypeSpec } from '../catalog/index.ts';
import { looseKey } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import { isPlainObject } from './flatten.ts';

export interface CoerceContext {
  catalog: StripeCatalog;
  target?: string;
  allowEmpty: Set<string>;
  skipRequired?: boolean;
  mapObject: (spec: TypeSpec, value: Record<string, unknown>, path: string) => Record<string, unknown>;
  strict?: boolean;
}

const describe = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

function invalid(
  field: string,
  value: unknown,
  expected: string,
  extra: Record<string, unknown> = {},
): ConnectorError {
  return new ConnectorError(
    'INVALID_VALUE',
    `invalid value ${describe(value)} for "${field}": expected ${expected}`,
    {
      field,
      expected,
      ...extra,
    },
  );
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(value: unknown, field: string, ctx: CoerceContext, expected: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (!ctx.strict && typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  throw invalid(field, value, expected);
}

function toInteger(value: unknown, field: string, ctx: CoerceContext): number {
  const n = toNumber(value, field, ctx, 'an integer');
  // 1500.0 arrives from JSON as 1500; "1500.0" as a string: both are whole numbers.
  if (!Number.isInteger(n)) throw invalid(field, value, 'an integer (a whole number)');
  if (!Number.isSafeInteger(n)) throw invalid(field, value, 'an integer within ±2^53');
  return n;
}

function toBoolean(value: unknown, field: string, ctx: CoerceContext): boolean {
  if (typeof value === 'boolean') return value;
  if (!ctx.strict && typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw invalid(field, value, 'a boolean (true or false)');
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Unix seconds of an ISO date or date-time; undefined for anything else. A time without a zone is
 * UTC, as a date alone is, so the result never depends on the machine's time zone. Shared by
 * payloads and query filters, which must read the same text as the same instant.
 */
export function isoSeconds(text: string): number | undefined {
  const value = text.trim();
  if (!ISO_DATE.test(value)) return undefined;
  const zoned = value.length === 10 || /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function toTimestamp(value: unknown, field: string, ctx: CoerceContext): number | string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return Math.floor(value.getTime() / 1000);
  if (typeof value === 'string' && !ctx.strict) {
    const seconds = isoSeconds(value);
    if (seconds !== undefined) return seconds;
  }
  // Stripe's `now` (e.g. trial_end, billing_cycle_anchor) is expressed as an enum alternative.
  return toInteger(value, field, ctx);
}

function toString(value: unknown, field: string, ctx: CoerceContext): string {
  if (typeof value === 'string') return value;
  if (!ctx.strict && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  throw invalid(field, value, 'a string');
}

function toEnum(spec: TypeSpec, value: unknown, field: string, ctx: CoerceContext): unknown {
  const allowed = spec.values ?? [];
  if (allowed.includes(value)) return value;
  if (!ctx.strict && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
    // `Manual` → `manual`, `off-session` → `off_session`: same loose rule as keys.
    const loose = looseKey(String(value));
    const match = allowed.find((v) => typeof v === 'string' && looseKey(v) === loose);
    if (match !== undefined) return match;
  }
  const shown = allowed.filter((v) => v !== '');
  throw invalid(field, value, `one of ${shown.map((v) => describe(v)).join(', ')}`, { allowed: shown });
}

function toArray(spec: TypeSpec, value: unknown, field: string, ctx: CoerceContext): unknown[] {
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (ctx.strict) throw invalid(field, value, 'an array');
  else list = [value]; // a single value where a list is expected: a list of one
  const items = spec.items;
  return items ? list.map((item, i) => coerceValue(items, item, `${field}[${i}]`, ctx)) : list;
}

function toAnyOf(spec: TypeSpec, value: unknown, field: string, ctx: CoerceContext): unknown {
  const alternatives = spec.of ?? [];
  let firstError: unknown;
  // Exact matches first (so `true` stays a boolean where string|boolean), then with coercion.
  for (const strict of [true, false]) {
    for (const alternative of alternatives) {
      try {
        return coerceValue(alternative, value, field, { ...ctx, strict: strict || ctx.strict });
      } catch (error) {
        // A nested object's own error (unknown/missing field) is more useful than "no alternative".
        if (error instanceof ConnectorError && error.code !== 'INVALID_VALUE') firstError ??= error;
        else if (error instanceof ConnectorError && error.details.field !== field) firstError ??= error;
      }
    }
  }
  if (firstError) throw firstError;
  const { typeLabelOf } = labels;
  throw invalid(field, value, alternatives.map(typeLabelOf).join(' or '));
}

const labels = {
  typeLabelOf(spec: TypeSpec): string {
    if (spec.type === 'enum')
      return `one of ${(spec.values ?? [])
        .filter((v) => v !== '')
        .map((v) => describe(v))
        .join(', ')}`;
    if (spec.type === 'ref') return `a ${spec.ref} object`;
    return spec.type === 'object' ? 'an object' : `a ${spec.type}`;
  },
};

/** One value against its spec. Nested objects go back through the payload mapper. */
export function coerceValue(spec: TypeSpec, value: unknown, field: string, ctx: CoerceContext): unknown {
  if (value === '' || value === null) {
    // '' (or null, which JSON users write for "nothing") unsets a field where Stripe allows it.
    if (spec.emptyable || ctx.allowEmpty.has(field)) return '';
    if (spec.type === 'enum' && spec.values?.includes('')) return '';
    if (spec.type === 'anyOf' && spec.of?.some((o) => o.type === 'enum' && o.values?.includes(''))) return '';
    if (value === '' && spec.type === 'string' && !ctx.strict) {
      throw invalid(field, value, 'a non-empty string (this field cannot be unset with "")');
    }
    if (value === null)
      throw invalid(field, value, `${labels.typeLabelOf(spec)} (this field cannot be unset)`);
  }
  switch (spec.type) {
    case 'string':
      return toString(value, field, ctx);
    case 'integer':
      return toInteger(value, field, ctx);
    case 'number':
      return toNumber(value, field, ctx, 'a number');
    case 'boolean':
      return toBoolean(value, field, ctx);
    case 'timestamp':
      return toTimestamp(value, field, ctx);
    case 'enum':
      return toEnum(spec, value, field, ctx);
    case 'array':
      return toArray(spec, value, field, ctx);
    case 'anyOf':
      return toAnyOf(spec, value, field, ctx);
    case 'ref': {
      const target = ctx.catalog.schema(spec.ref as string);
      return target ? coerceValue(target, value, field, ctx) : value;
    }
    case 'object': {
      if (!isPlainObject(value)) throw invalid(field, value, 'an object');
      // A free-form object (no fields, no additional type) goes through as it is.
      if (!spec.fields && !spec.additional) return value;
      return ctx.mapObject(spec, value, field);
    }
    default:
      return value;
  }
}
