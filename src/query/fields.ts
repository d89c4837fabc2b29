/**
 * Binds a parsed predicate to an entity: field names are checked against the catalog (closest
 * name suggested), matched case-insensitively, and literal values are coerced to the field's type
 * by the same scalar rules as payloads (entities/coerce.ts), so that the planner pushes down
 * exactly what Stripe expects and the evaluator compares like with like. A name that is no field
 * but a parameter of the entity's list call (`price` on Subscription) binds as a param-only leaf.
 */
import { closest } from 'fastest-levenshtein';
import {
  looseKey,
  type Entity,
  type OperationParam,
  type StripeCatalog,
  type TypeSpec,
} from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import {
  booleanRule,
  enumRule,
  integerRule,
  numberRule,
  stringRule,
  timestampRule,
  type Scalar,
} from '../entities/coerce.ts';
import type { Expr, FieldKind, LeafExpr, Value } from './ast.ts';
import { caret } from './lex.ts';

export interface BoundField {
  /** Canonical dotted path (`address.city`). */
  path: string;
  kind: FieldKind;
  spec?: TypeSpec;
  /** Top-level expandable field the path goes through (`customer` in `customer.email`). */
  expand?: string;
  /** A list parameter, not a field of the object (see Leaf.paramOnly). */
  paramOnly?: true;
}

export interface Binder {
  catalog: StripeCatalog;
  entity: Entity;
  /** The user's text, for carets. */
  source: string;
  /** Names that only fill a parent id in a list path (`quote`, `customer` for TaxId). */
  parents: Set<string>;
  /** List parameters that are no field of the object, by loose name (`price` on Subscription). */
  params: Map<string, OperationParam>;
}

/** Parameters that page or shape a list rather than filter it. */
export const PAGING_PARAMS = new Set(['limit', 'starting_after', 'ending_before', 'expand']);

export function makeBinder(catalog: StripeCatalog, entity: Entity, source: string): Binder {
  const parents = new Set<string>();
  const params = new Map<string, OperationParam>();
  for (const op of catalog.operationsOf(entity, 'list')) {
    for (const p of op.pathParams) if (p.resource) parents.add(p.name);
    for (const p of op.params) {
      if (PAGING_PARAMS.has(p.name) || catalog.field(entity, p.name)) continue;
      if (!params.has(looseKey(p.name))) params.set(looseKey(p.name), p);
    }
  }
  return { catalog, entity, source, parents, params };
}

function kindOf(catalog: StripeCatalog, spec: TypeSpec | undefined): FieldKind {
  if (!spec) return 'any';
  if (spec.expandable?.length) return 'id';
  switch (spec.type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
    case 'timestamp':
    case 'enum':
    case 'object':
    case 'array':
    case 'any':
      return spec.type;
    case 'ref':
      return catalog.objectOf(spec) ? 'object' : 'any';
    case 'anyOf': {
      const scalar = spec.of?.find((o) => o.type !== 'object' && o.type !== 'ref');
      return scalar ? kindOf(catalog, scalar) : 'object';
    }
  }
  return 'any';
}

/** Scalar spec behind anyOf/array for value checks (enum values, element types). */
function scalarSpec(spec: TypeSpec | undefined): TypeSpec | undefined {
  if (!spec) return undefined;
  if (spec.type === 'anyOf') return spec.of?.find((o) => o.type !== 'object' && o.type !== 'ref');
  if (spec.type === 'array') return scalarSpec(spec.items);
  return spec;
}

function fieldError(b: Binder, pos: number, message: string, extra: Record<string, unknown>): ConnectorError {
  return new ConnectorError('UNKNOWN_FIELD', message, {
    position: pos,
    hint: caret(b.source, pos),
    ...extra,
  });
}

/** Resolves a dotted path on the entity; throws UNKNOWN_FIELD with the closest name. */
export function bindField(b: Binder, path: string, pos: number): BoundField {
  const { catalog, entity } = b;
  const parts = path.split('.');
  if (parts.length === 1 && b.parents.has(parts[0]) && !catalog.field(entity, parts[0])) {
    return { path, kind: 'parent' };
  }
  const param = parts.length === 1 && !catalog.field(entity, parts[0]) && b.params.get(looseKey(parts[0]));
  if (param) return { path: param.name, kind: kindOf(catalog, param), spec: param, paramOnly: true };
  const resolved: string[] = [];
  let current: TypeSpec | undefined = entity.schema;
  let expand: string | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const object = catalog.objectOf(current);
    if (!object) {
      throw fieldError(
        b,
        pos,
        `"${resolved.join('.')}" on ${entity.entity} has no sub-fields (no "${part}")`,
        {
          field: path,
        },
      );
    }
    if (i === 1 && current?.expandable?.length) expand = resolved[0];
    const names = Object.keys(object.fields ?? {});
    const name = object.fields?.[part] ? part : names.find((n) => looseKey(n) === looseKey(part));
    if (name) {
      resolved.push(name);
      current = object.fields![name];
    } else if (object.additional) {
      resolved.push(part);
      current = object.additional;
    } else {
      const where = resolved.length ? `"${resolved.join('.')}" on ${entity.entity}` : entity.entity;
      const lower = part.toLowerCase();
      const containing = names.filter((n) => n.includes(lower)).sort((a, b) => a.length - b.length);
      const suggestion = containing[0] ?? (names.length ? closest(part, names) : undefined);
      const full = [...resolved, suggestion].join('.');
      throw fieldError(
        b,
        pos,
        `unknown field "${path}" on ${entity.entity}: ${where} has no "${part}"${suggestion ? `; did you mean "${full}"?` : ''}`,
        { field: path, suggestion: suggestion && full, allowed: names },
      );
    }
  }
  return { path: resolved.join('.'), kind: kindOf(catalog, current), spec: current, expand };
}

function invalid(
  b: Binder,
  leaf: LeafExpr,
  message: string,
  extra: Record<string, unknown> = {},
): ConnectorError {
  return new ConnectorError('INVALID_VALUE', `${leaf.field}: ${message}`, {
    field: leaf.field,
    position: leaf.pos,
    hint: caret(b.source, leaf.pos),
    ...extra,
  });
}

/** A literal against the field's type, by the same rules as payloads (entities/coerce.ts). */
function coerce(b: Binder, leaf: LeafExpr, field: BoundField, value: Value): Value {
  if (value === null) return null;
  const spec = scalarSpec(field.spec);
  const kind = field.kind === 'array' ? kindOf(b.catalog, spec) : field.kind;
  const check = <T extends Value>(result: Scalar<T>, extra: Record<string, unknown> = {}): T => {
    if ('value' in result) return result.value;
    const shown = typeof value === 'string' ? `'${value}'` : String(value);
    throw invalid(b, leaf, `${shown} at position ${leaf.pos + 1}: expected ${result.expected}`, extra);
  };
  switch (kind) {
    case 'timestamp':
      return check(timestampRule(value));
    case 'integer':
      return check(integerRule(value));
    case 'number':
      return check(numberRule(value));
    case 'boolean':
      return check(booleanRule(value));
    case 'enum': {
      const allowed = spec?.values ?? [];
      if (!allowed.length) return check(stringRule(value));
      return check(enumRule(allowed, value) as Scalar<Value>, { allowed: allowed.map(String) });
    }
    case 'object':
      throw invalid(b, leaf, 'is an object: compare one of its fields, or test IS [NOT] NULL');
    default:
      return check(stringRule(value));
  }
}

export interface Bound {
  expr: Expr | undefined;
  /** Expandable fields the predicate reads through (need `expand[]`). */
  expand: Set<string>;
}

/** Binds every leaf: canonical paths, field kinds, coerced values. */
export function bindExpr(b: Binder, expr: Expr | undefined, expand = new Set<string>()): Bound {
  const visit = (e: Expr): Expr => {
    if (e.kind === 'and' || e.kind === 'or') return { ...e, items: e.items.map(visit) };
    if (e.kind === 'not') return { ...e, expr: visit(e.expr) };
    const field = bindField(b, e.field, e.pos);
    if (field.expand) expand.add(field.expand);
    const bound = { ...e, field: field.path, fieldKind: field.kind } as LeafExpr;
    if (field.paramOnly) bound.paramOnly = true;
    if (field.kind === 'parent' && !(e.kind === 'compare' && e.op === '=' && typeof e.value === 'string')) {
      throw invalid(b, bound, `names the parent object: write ${e.field} = '<id>'`);
    }
    switch (bound.kind) {
      case 'compare':
        return {
          ...bound,
          value: field.kind === 'parent' ? bound.value : coerce(b, bound, field, bound.value),
        };
      case 'in':
        return { ...bound, values: bound.values.map((v) => coerce(b, bound, field, v)) };
      case 'like':
        if (!['string', 'enum', 'id', 'any', 'array'].includes(field.kind))
          throw invalid(b, bound, `LIKE needs a text field; ${field.path} is ${field.kind}`);
        return bound;
      default:
        return bound;
    }
  };
  return { expr: expr && visit(expr), expand };
}
