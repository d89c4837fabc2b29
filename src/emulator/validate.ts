/**
 * Request parameters checked against the catalog, with Stripe's error codes, and converted from
 * form strings to typed values. An emptied parameter ('' where Stripe allows unsetting) becomes null.
 */
import type { OperationParam, TypeSpec } from '../catalog/index.ts';
import { invalid } from './errors.ts';

type Value = unknown;

const ALWAYS_ALLOWED = new Set(['expand']);

/** Stripe's documented metadata limits (https://docs.stripe.com/api/metadata). */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };
/**
 * The most items an array parameter takes. Stripe bounds each list (line items, expand, …) and
 * refuses beyond; the catalog does not say each bound, so one generous bound stands for them.
 */
export const MAX_ARRAY_ITEMS = 1000;

export function validateParams(
  params: Record<string, unknown>,
  specs: OperationParam[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const byName = new Map(specs.map((p) => [p.name, p]));
  for (const [name, raw] of Object.entries(params)) {
    const spec = byName.get(name);
    if (!spec) {
      if (ALWAYS_ALLOWED.has(name)) {
        out[name] = toArray(raw).filter((v) => typeof v === 'string');
        continue;
      }
      throw invalid(`Received unknown parameter: ${name}`, 'parameter_unknown', name);
    }
    out[name] = convert(raw, spec, name);
  }
  for (const spec of specs) {
    if (spec.required && !(spec.name in params)) {
      throw invalid(`Missing required param: ${spec.name}.`, 'parameter_missing', spec.name);
    }
  }
  return out;
}

function toArray(raw: Value): Value[] {
  if (Array.isArray(raw)) return raw;
  if (raw && typeof raw === 'object') {
    // qs turns indices beyond its array limit into object keys; Stripe treats them as an array.
    const entries = Object.entries(raw as Record<string, Value>);
    if (entries.every(([k]) => /^\d+$/.test(k))) {
      return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
    }
  }
  if (raw === undefined) return [];
  return [raw];
}

function convert(raw: Value, spec: TypeSpec, param: string): Value {
  if (raw === '' && spec.type !== 'string' && !(spec.type === 'enum' && spec.values?.includes(''))) {
    if (spec.emptyable || spec.nullable) return null;
    throw invalid(
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      'parameter_invalid_empty',
      param,
    );
  }
  switch (spec.type) {
    case 'any':
      return raw;
    case 'string':
      if (typeof raw === 'string') return raw === '' && spec.emptyable ? null : raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      throw invalid(`Invalid string: ${describe(raw)}`, 'parameter_invalid_string', param);
    case 'integer':
    case 'timestamp': {
      if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
      if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) return Number(raw);
      throw invalid(`Invalid integer: ${describe(raw)}`, 'parameter_invalid_integer', param);
    }
    case 'number': {
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
      throw invalid(`Invalid decimal: ${describe(raw)}`, 'parameter_invalid_number', param);
    }
    case 'boolean':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw invalid(`Invalid boolean: ${describe(raw)}`, 'parameter_invalid_boolean', param);
    case 'enum': {
      const values = spec.values ?? [];
      if (values.includes(raw)) return raw;
      const asNumber = typeof raw === 'string' ? Number(raw) : NaN;
      if (values.includes(asNumber)) return asNumber;
      if (values.includes(true) && raw === 'true') return true;
      if (values.includes(false) && raw === 'false') return false;
      throw invalid(
        `Invalid ${param}: must be one of ${values.map(String).join(', ')}`,
        'parameter_invalid_enum',
        param,
      );
    }
    case 'array': {
      const items = toArray(raw);
      if (items.length > MAX_ARRAY_ITEMS)
        throw invalid(
          `Invalid array: ${param} can have at most ${MAX_ARRAY_ITEMS} items, but you've sent ${items.length}.`,
          'parameter_invalid_array',
          param,
        );
      return items.map((item, i) => (spec.items ? convert(item, spec.items, `${param}[${i}]`) : item));
    }
    case 'object': {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw invalid(`Invalid object: ${describe(raw)}`, 'parameter_invalid_object', param);
      }
      const obj = raw as Record<string, Value>;
      if (param === 'metadata' || param.endsWith('[metadata]')) checkMetadata(obj, param);
      if (!spec.fields && !spec.additional) return obj;
      const out: Record<string, Value> = {};
      for (const [key, value] of Object.entries(obj)) {
        const sub = spec.fields?.[key] ?? spec.additional;
        const subParam = `${param}[${key}]`;
        if (!sub) throw invalid(`Received unknown parameter: ${subParam}`, 'parameter_unknown', subParam);
        // Map values ('metadata[k]=') may be emptied to delete a key; keep '' for the merge to see.
        // Defined, not assigned: a map key may be `__proto__`, which must stay an ordinary key.
        Object.defineProperty(out, key, {
          value: spec.additional && !spec.fields?.[key] && value === '' ? '' : convert(value, sub, subParam),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      for (const key of spec.requiredFields ?? []) {
        if (!(key in obj)) {
          const subParam = `${param}[${key}]`;
          throw invalid(`Missing required param: ${subParam}.`, 'parameter_missing', subParam);
        }
      }
      return out;
    }
    case 'anyOf': {
      let first: unknown;
      for (const alt of spec.of ?? []) {
        try {
          return convert(raw, { ...alt, emptyable: spec.emptyable || alt.emptyable }, param);
        } catch (error) {
          first ??= error;
        }
      }
      if (first) throw first;
      return raw;
    }
    default:
      return raw;
  }
}

/** Stripe's metadata limits, with its messages; an emptied value ('' = unset) counts toward none. */
function checkMetadata(obj: Record<string, Value>, param: string): void {
  const set = Object.entries(obj).filter(([, v]) => v !== '');
  if (set.length > METADATA_LIMITS.keys)
    throw invalid(
      `Metadata can have up to ${METADATA_LIMITS.keys} keys, but you've set ${set.length}.`,
      undefined,
      param,
    );
  for (const [key, value] of set) {
    if (key.length > METADATA_LIMITS.keyLength)
      throw invalid(
        `Invalid key: ${clip(key)} must be a string of at most ${METADATA_LIMITS.keyLength} characters`,
        undefined,
        param,
      );
    if (typeof value === 'string' && value.length > METADATA_LIMITS.valueLength)
      throw invalid(
        `Invalid val: ${clip(value)} must be a string of at most ${METADATA_LIMITS.valueLength} characters`,
        undefined,
        param,
      );
    if (value !== null && typeof value === 'object')
      throw invalid(
        `Invalid val: metadata[${key}] must be a string, not an object or array`,
        undefined,
        param,
      );
  }
}

/** A long value shown in a message: its start, marked as cut. */
const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

function describe(raw: Value): string {
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}
