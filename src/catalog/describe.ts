/** Plain descriptions of entities and actions for the CLI, the server and the console. */
import type { Action, Entity, StripeCatalog } from './index.ts';
import type { OperationParam, TypeSpec } from './types.ts';
import { entityNameOf } from './naming.ts';

export interface ParamSummary {
  name: string;
  type: string;
  required: boolean;
  enum?: unknown[];
  fields?: ParamSummary[];
  /** Other names the input answers to (the catalog's path param name, the seeds' spellings). */
  aliases?: string[];
}

export interface FieldSummary {
  name: string;
  type: string;
  nullable: boolean;
  enum?: unknown[];
  expandable?: string[];
}

/** `string`, `integer`, `enum`, `object`, `array<string>`, `ref:address`, ... */
export function typeLabel(spec: TypeSpec): string {
  switch (spec.type) {
    case 'array':
      return `array<${spec.items ? typeLabel(spec.items) : 'any'}>`;
    case 'ref':
      return `ref:${spec.ref}`;
    case 'anyOf':
      return (spec.of ?? []).map(typeLabel).join('|');
    default:
      return spec.type;
  }
}

function summarizeParam(name: string, spec: TypeSpec, required: boolean, depth = 0): ParamSummary {
  const out: ParamSummary = { name, type: typeLabel(spec), required };
  if (spec.values) out.enum = spec.values;
  if (spec.fields && depth < 2) {
    const req = new Set(spec.requiredFields ?? []);
    out.fields = Object.entries(spec.fields).map(([n, s]) => summarizeParam(n, s, req.has(n), depth + 1));
  }
  return out;
}

function summarizeParams(params: OperationParam[]): ParamSummary[] {
  return params.map((p) => summarizeParam(p.name, p, Boolean(p.required)));
}

function entityFields(catalog: StripeCatalog, entity: Entity): FieldSummary[] {
  const object = catalog.objectOf(entity.schema);
  const fields = object?.fields ?? {};
  return Object.entries(fields).map(([name, spec]) => {
    const out: FieldSummary = { name, type: typeLabel(spec), nullable: Boolean(spec.nullable) };
    if (spec.values) out.enum = spec.values;
    if (spec.expandable) out.expandable = spec.expandable;
    return out;
  });
}

/**
 * Inputs of an action: its path ids (by the seeds' `XxxId` name, with the catalog's name and other
 * spellings as aliases) and its body params (a reference param also answers to `XxxId`).
 */
export function actionInputs(catalog: StripeCatalog, action: Action): ParamSummary[] {
  const ids: ParamSummary[] = action.operation.pathParams.map((p) => {
    const name = p.self ? `${action.entity.entity}Id` : p.resource ? `${entityNameOf(p.resource)}Id` : p.name;
    const aliases = [p.name, ...(p.self ? ['id', ...catalog.selfIdAliases(action.entity)] : [])];
    return { name, type: 'string', required: true, aliases: aliases.filter((a) => a !== name) };
  });
  const body = summarizeParams(action.operation.params.filter((p) => p.name !== 'expand')).map((s) =>
    s.type === 'string' && catalog.isReferenceParam(s.name)
      ? { ...s, aliases: [`${entityNameOf(s.name)}Id`] }
      : s,
  );
  return [...ids, ...body];
}

export function operationKinds(entity: Entity): string[] {
  const kinds = ['list', 'retrieve', 'create', 'update', 'delete', 'search'];
  return kinds.filter((k) => entity.operations.some((o) => o.kind === k));
}

/** An entity as `describe` shows it: fields, operations with their parameters, actions with inputs. */
export function describeEntity(catalog: StripeCatalog, entity: Entity) {
  return {
    entity: entity.entity,
    resource: entity.id,
    idPrefix: entity.idPrefix,
    searchable: Boolean(entity.searchable),
    fields: entityFields(catalog, entity),
    operations: entity.operations
      .filter((o) => o.kind !== 'custom')
      .map((o) => ({
        kind: o.kind,
        name: o.name,
        method: o.method,
        path: o.path,
        params: summarizeParams(o.params.filter((p) => p.name !== 'expand')),
      })),
    actions: catalog
      .actions()
      .filter((a) => a.entity === entity)
      .map((a) => ({
        name: a.name,
        aliases: a.aliases,
        method: a.operation.method,
        path: a.operation.path,
        inputs: actionInputs(catalog, a),
      })),
  };
}

export interface ParamRow {
  operation: string;
  /** Dotted for a nested field: `shipping.address.city`. */
  name: string;
  type: string;
  required: boolean;
  enum?: unknown[];
}

/** Every parameter of the operations, nested fields under dotted names, for one table. */
export function parameterRows(operations: Array<{ name: string; params: ParamSummary[] }>): ParamRow[] {
  const rows: ParamRow[] = [];
  const add = (operation: string, params: ParamSummary[], prefix: string) => {
    for (const p of params) {
      const name = prefix + p.name;
      rows.push({ operation, name, type: p.type, required: p.required, ...(p.enum ? { enum: p.enum } : {}) });
      if (p.fields) add(operation, p.fields, `${name}.`);
    }
  };
  for (const o of operations) add(o.name, o.params, '');
  return rows;
}
