/**
 * Maps a user's payload onto an operation's request params: loose key matching at every level
 * (`PaymentMethod` → `payment_method`), dotted keys and nested objects merged, `metadata` keys
 * verbatim, values coerced and checked against the catalog. Every fault is found before any call
 * and named by its dotted field path. One mapper for entity writes and actions.
 */
import { closest } from 'fastest-levenshtein';
import type { OperationParam, StripeCatalog, TypeSpec } from '../catalog/index.ts';
import { looseKey } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import { coerceValue, type CoerceContext } from './coerce.ts';
import { isPlainObject } from './flatten.ts';
import { checkMetadata, isMetadataPath } from './metadata.ts';

export type Payload = Record<string, unknown>;

export interface MapPayloadOptions {
  /** What the error messages say the payload is for: `create PaymentIntent`. */
  target?: string;
  /** Dotted field paths where '' is accepted although the catalog does not say so. */
  allowEmpty?: string[];
  /** Skip the required-params check (e.g. a caller fills them in later). */
  skipRequired?: boolean;
}

/** An object level: named fields, the type of other keys (metadata), and what is required. */
interface Level {
  fields: Record<string, TypeSpec>;
  additional?: TypeSpec;
  required: string[];
}

export { isPlainObject };

/** The params of an operation as one object level. */
function levelOfParams(params: OperationParam[]): Level {
  const fields: Record<string, TypeSpec> = {};
  for (const p of params) fields[p.name] = p;
  return { fields, required: params.filter((p) => p.required).map((p) => p.name) };
}

function fieldIndex(level: Level): Map<string, string> {
  const index = new Map<string, string>();
  for (const name of Object.keys(level.fields)) index.set(looseKey(name), name);
  return index;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (isPlainObject(existing) && isPlainObject(value)) deepMerge(existing, value, join(path, key));
    else if (key in into && existing !== value) {
      throw new ConnectorError('INVALID_VALUE', `"${join(path, key)}" is given twice with different values`, {
        field: join(path, key),
      });
    } else into[key] = value;
  }
}

/**
 * Groups a level's input by the field each key resolves to: `Address`, `address.city` and
 * `{address: {line1}}` all land on `address`, merged. Keys no field matches go to `unknown`.
 */
function groupByField(level: Level, input: Payload, path: string, catalog: StripeCatalog) {
  const index = fieldIndex(level);
  const grouped = new Map<string, unknown>();
  const extra: Array<[string, unknown]> = [];
  const put = (name: string, value: unknown) => {
    if (!grouped.has(name)) return grouped.set(name, isPlainObject(value) ? { ...value } : value);
    const existing = grouped.get(name);
    if (isPlainObject(existing) && isPlainObject(value)) return deepMerge(existing, value, join(path, name));
    throw new ConnectorError('INVALID_VALUE', `"${join(path, name)}" is given twice`, {
      field: join(path, name),
    });
  };
  for (const [key, value] of Object.entries(input)) {
    const whole = index.get(looseKey(key));
    if (whole) {
      put(whole, value);
      continue;
    }
    const dot = key.indexOf('.');
    const head = dot > 0 ? index.get(looseKey(key.slice(0, dot))) : undefined;
    // The seeds name references `XxxId` (`CustomerId` → `customer`, `PriceId` → `price`): the params
    // the catalog marks as references (the same rule `describe` and `actions` list them by).
    const loose = looseKey(key);
    const named = loose.endsWith('id') && !level.additional ? index.get(loose.slice(0, -2)) : undefined;
    const ref = named && catalog.isReferenceParam(named) ? named : undefined;
    if (head) put(head, { [key.slice(dot + 1)]: value });
    else if (ref) put(ref, value);
    else extra.push([key, value]);
  }
  return { grouped, extra };
}

function unknownField(level: Level, key: string, path: string, target?: string): ConnectorError {
  const allowed = Object.keys(level.fields);
  const suggestion = allowed.length ? closest(looseKey(key), allowed) : undefined;
  const field = join(path, key);
  const where = target ? ` for ${target}` : '';
  return new ConnectorError(
    'UNKNOWN_FIELD',
    `unknown field "${field}"${where}${suggestion ? `; did you mean "${join(path, suggestion)}"?` : ''}`,
    { field, suggestion: suggestion && join(path, suggestion), allowed },
  );
}

/** Maps one object level; `coerceValue` calls back here for nested objects. */
function mapLevel(level: Level, input: Payload, path: string, ctx: CoerceContext): Payload {
  const out: Payload = {};
  const { grouped, extra } = groupByField(level, input, path, ctx.catalog);
  if (isMetadataPath(path)) checkMetadata(input, path);
  for (const [name, value] of grouped) {
    if (value === undefined) continue;
    out[name] = coerceValue(level.fields[name], value, join(path, name), ctx);
  }
  for (const [key, value] of extra) {
    // metadata and the like: any key, verbatim.
    if (!level.additional) throw unknownField(level, key, path, ctx.target);
    // Stripe: "Individual keys can be unset by posting an empty value to them."
    if (value === '' && isMetadataPath(path)) out[key] = '';
    else if (value !== undefined) out[key] = coerceValue(level.additional, value, join(path, key), ctx);
  }
  if (!ctx.skipRequired) {
    const missing = level.required.filter((name) => out[name] === undefined);
    if (missing.length) {
      const fields = missing.map((m) => join(path, m));
      const where = ctx.target ? ` for ${ctx.target}` : '';
      throw new ConnectorError(
        'MISSING_FIELD',
        `missing required field${fields.length > 1 ? 's' : ''} ${fields.map((f) => `"${f}"`).join(', ')}${where}`,
        {
          field: fields[0],
          missing: fields,
        },
      );
    }
  }
  return out;
}

function levelOfObject(spec: TypeSpec): Level {
  return { fields: spec.fields ?? {}, additional: spec.additional, required: spec.requiredFields ?? [] };
}

/** The payload mapped onto the params, ready for the gateway. Throws ConnectorError on any fault. */
export function mapPayload(
  catalog: StripeCatalog,
  params: OperationParam[],
  payload: Payload,
  options: MapPayloadOptions = {},
): Payload {
  if (!isPlainObject(payload)) {
    throw new ConnectorError('INVALID_ARGUMENT', 'the payload must be a JSON object', { field: 'payload' });
  }
  const ctx: CoerceContext = {
    catalog,
    target: options.target,
    allowEmpty: new Set(options.allowEmpty ?? []),
    skipRequired: options.skipRequired,
    mapObject: (spec, value, path) => mapLevel(levelOfObject(spec), value, path, ctx),
  };
  return mapLevel(levelOfParams(params), payload, '', ctx);
}
