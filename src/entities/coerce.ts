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

/**
 * The scalar rules, one per type, shared by payloads (this file) and query filters
 * (query/fields.ts), so the same text means the same value in both. Each returns the value or
 * what was expected; the caller words the error for its context (a payload field, a filter
 * position). `strict` refuses cross-type conversions (anyOf tries exact matches first).
 *   - number: a finite number, or a decimal numeral string ("12", "-1.5", "1e3"); nothing else.
 *   - integer: a number rule result that is whole and within ±2^53.
 *   - boolean: true/false, or the strings "true"/"false" (any case). Not "1"/"0", "yes"/"no":
 *     Stripe's own form encoding writes booleans as true/false, and "1" is a number elsewhere.
 *   - timestamp: Unix seconds (an integer, or its digits), a Date, or an ISO date / date-time
 *     (UTC when no zone); impossible dates (2024-02-30, month 13, hour 25) are refused, never
 *     rolled over.
 *   - string: a string; numbers and booleans are written out.
 */
export type Scalar<T> = { value: T } | { expected: string };

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function numberRule(value: unknown, strict = false): Scalar<number> {
  if (typeof value === 'number' && Number.isFinite(value)) return { value };
  if (!strict && typeof value === 'string' && NUMERIC.test(value.trim()))
    return { value: Number(value.trim()) };
  return { expected: 'a number' };
}

export function integerRule(value: unknown, strict = false): Scalar<number> {
  const n = numberRule(value, strict);
  if ('expected' in n) return { expected: 'an integer' };
  // 1500.0 arrives from JSON as 1500; "1500.0" as a string: both are whole numbers.
  if (!Number.isInteger(n.value)) return { expected: 'an integer (a whole number)' };
  if (!Number.isSafeInteger(n.value)) return { expected: 'an integer within ±2^53' };
  return n;
}

export function booleanRule(value: unknown, strict = false): Scalar<boolean> {
  if (typeof value === 'boolean') return { value };
  if (!strict && typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return { value: true };
    if (lower === 'false') return { value: false };
  }
  return { expected: 'a boolean (true or false)' };
}

export function stringRule(value: unknown, strict = false): Scalar<string> {
  if (typeof value === 'string') return { value };
  if (!strict && (typeof value === 'number' || typeof value === 'boolean')) return { value: String(value) };
  return { expected: 'a string' };
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/i;
const MONTHS = 'January February March April May June July August September October November December'.split(
  ' ',
);

/** Why an ISO-shaped date is impossible (undefined: it is a real instant). */
function impossible(m: RegExpExecArray): string | undefined {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hour > 23) return `there is no hour ${hour}`;
  if (minute > 59) return `there is no minute ${minute}`;
  if (second > 59) return `there is no second ${second}`;
  if (m[9] && (Number(m[9]) > 14 || Number(m[10]) > 59)) return `${m[8]} is not a time zone offset`;
  return undefined;
}

const TIMESTAMP_EXPECTED =
  "a timestamp (Unix seconds, or an ISO date like '2024-01-31' or '2024-01-31T12:00:00Z')";

/**
 * Unix seconds of an ISO date or date-time. A time without a zone is UTC, as a date alone is, so
 * the result never depends on the machine's time zone.
 */
function isoSeconds(text: string): Scalar<number> | undefined {
  const value = text.trim();
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const reason = impossible(m);
  if (reason) return { expected: `a real date (${reason})` };
  const zoned = m[4] === undefined || m[8] ? value : `${value}Z`;
  const ms = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(ms) ? { expected: TIMESTAMP_EXPECTED } : { value: Math.floor(ms / 1000) };
}

export function timestampRule(value: unknown, strict = false): Scalar<number> {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? { expected: 'a valid Date' }
      : { value: Math.floor(value.getTime() / 1000) };
  }
  if (typeof value === 'string' && !strict) {
    const iso = isoSeconds(value);
    if (iso) return iso;
  }
  const n = integerRule(value, strict);
  return 'expected' in n ? { expected: TIMESTAMP_EXPECTED } : n;
}

/** An enum value matched exactly, or (not strict) loosely like keys: `Manual` → `manual`, `off-session` → `off_session`. */
export function enumRule(allowed: readonly unknown[], value: unknown, strict = false): Scalar<unknown> {
  if (allowed.includes(value)) return { value };
  if (!strict && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
    const loose = looseKey(String(value));
    const match = allowed.find((v) => typeof v === 'string' && looseKey(v) === loose);
    if (match !== undefined) return { value: match };
  }
  const shown = allowed.filter((v) => v !== '');
  return { expected: `one of ${shown.map((v) => describe(v)).join(', ')}` };
}

function apply<T>(result: Scalar<T>, field: string, value: unknown, extra?: Record<string, unknown>): T {
  if ('expected' in result) throw invalid(field, value, result.expected, extra);
  return result.value;
}

function toEnum(spec: TypeSpec, value: unknown, field: string, ctx: CoerceContext): unknown {
  const allowed = spec.values ?? [];
  return apply(enumRule(allowed, value, ctx.strict), field, value, {
    allowed: allowed.filter((v) => v !== ''),
  });
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
      return apply(stringRule(value, ctx.strict), field, value);
    case 'integer':
      return apply(integerRule(value, ctx.strict), field, value);
    case 'number':
      return apply(numberRule(value, ctx.strict), field, value);
    case 'boolean':
      return apply(booleanRule(value, ctx.strict), field, value);
    case 'timestamp':
      // Stripe's `now` (e.g. trial_end, billing_cycle_anchor) is an enum alternative of an anyOf.
      return apply(timestampRule(value, ctx.strict), field, value);
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
