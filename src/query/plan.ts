/**
 * The planner: decides per predicate of the top-level AND what Stripe can do for us.
 *   - list parameters of the entity's list endpoint (`email`, `customer`, `status`, `created`
 *     ranges, …) and parent ids in the path (`customer` for TaxId) are pushed down exactly;
 *   - `id = …` / `id IN (…)` become retrieves;
 *   - a small IN on a list parameter becomes one scan per value;
 *   - Stripe search (searchable entities) when allowed, or by default only when the alternative
 *     is a full scan;
 *   - the rest is the residual, evaluated locally on the stream.
 */
import type { CatalogOperation, Entity, OperationParam, StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import {
  and,
  conjuncts,
  leaves,
  toText,
  type Expr,
  type LeafExpr,
  type OrderKey,
  type SelectItem,
  type Value,
} from './ast.ts';
import { bindExpr, bindField, makeBinder } from './fields.ts';
import { caret } from './lex.ts';
import { parseFilter, parseSql } from './parse.ts';
import { searchQuery } from './searchable.ts';
import { LIST_DEFAULTS } from '../catalog/overrides.ts';

export interface QueryInput {
  /** Entity name (required with `filter`; taken from FROM with `sql`). */
  entity?: string;
  filter?: string;
  sql?: string;
  limit?: number;
  offset?: number;
  /** true: prefer search when it pushes more; false: never; undefined: only instead of a full scan. */
  allowSearch?: boolean;
  /** Rows held for ORDER BY without a usable LIMIT before failing (default 100,000). */
  maxBuffer?: number;
}

export interface ApiCall {
  method: 'GET';
  path: string;
  params: Record<string, unknown>;
}

export interface Scan {
  kind: 'list' | 'search' | 'retrieve';
  call: ApiCall;
}

export type OrderMode = 'none' | 'native' | 'topk' | 'buffer';

export interface Plan {
  entity: string;
  resource: string;
  scans: Scan[];
  /** How several scans combine: one after the other, or merged newest-first. */
  merge: 'concat' | 'created-desc';
  search?: string;
  /** Predicates Stripe applies (as filter text), for explain. */
  pushed: string[];
  /** Evaluated locally on every row. */
  residual?: Expr;
  /**
   * Pushed-down equalities checked again locally: Stripe's matching can be looser than SQL's
   * (e.g. email ignoring case), and a re-check of a few fields per row is cheap insurance.
   */
  recheck?: Expr;
  select?: SelectItem[];
  count: boolean;
  order: OrderKey[];
  orderMode: OrderMode;
  limit?: number;
  offset: number;
  pageSize: number;
  /** A full scan may split `created` into concurrent slices. */
  sliceable: boolean;
  maxBuffer: number;
  notes: string[];
}

export const PAGE_MAX = 100;
const IN_SCANS_MAX = 10;
const DEFAULT_MAX_BUFFER = 100_000;

type Range = { gt?: number; gte?: number; lt?: number; lte?: number };

function rangeParam(param: OperationParam | undefined): boolean {
  if (!param || param.type !== 'anyOf') return false;
  return Boolean(param.of?.some((o) => o.type === 'object' && o.fields?.gte && o.fields?.lt));
}

function scalarParam(param: OperationParam | undefined): boolean {
  return Boolean(param && ['string', 'enum', 'boolean', 'integer'].includes(param.type));
}

function paramAccepts(param: OperationParam, value: Value): boolean {
  if (value === null) return false;
  if (param.type === 'enum') return (param.values ?? []).includes(value);
  if (param.type === 'boolean') return typeof value === 'boolean';
  if (param.type === 'integer') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === 'string';
}

/** The names a parent path param answers to (`customer`, `session`/`checkout_session`). */
function parentNames(param: { name: string; resource?: string }): string[] {
  return [param.name, param.resource ?? '', (param.resource ?? '').replace(/\./g, '_')].filter(Boolean);
}

function chooseListOperation(
  catalog: StripeCatalog,
  entity: Entity,
  equalities: Map<string, LeafExpr>,
  source: string,
): { op: CatalogOperation; path: string; consumed: LeafExpr[] } {
  const ops = catalog.operationsOf(entity, 'list');
  if (!ops.length) {
    const kinds = [...new Set(entity.operations.map((o) => o.kind))].join(', ');
    throw new ConnectorError(
      'OPERATION_NOT_SUPPORTED',
      `${entity.entity} has no List operation (it has: ${kinds})`,
      {
        entity: entity.entity,
      },
    );
  }
  // The primary operation if it applies; else the nested variant with the plainest path
  // (`/v1/quotes/{quote}/line_items` before `/computed_upfront_line_items`).
  const ordered = [ops[0], ...ops.slice(1).sort((a, b) => a.path.length - b.path.length)];
  for (const op of ordered) {
    const consumed: LeafExpr[] = [];
    let path = op.path;
    let ok = true;
    for (const p of op.pathParams) {
      const leaf = parentNames(p)
        .map((n) => equalities.get(n))
        .find(Boolean);
      if (!leaf || leaf.kind !== 'compare' || typeof leaf.value !== 'string') {
        ok = false;
        break;
      }
      consumed.push(leaf);
      path = path.replace(`{${p.name}}`, encodeURIComponent(leaf.value));
    }
    if (ok) return { op, path, consumed };
  }
  const options = ops.map((o) => o.pathParams.map((p) => `${p.name} = '<id>'`).join(' AND ')).join(' | ');
  throw new ConnectorError(
    'QUERY_UNSUPPORTED',
    `${entity.entity} is listed under its parent: the filter needs ${options}`,
    { entity: entity.entity, hint: source ? caret(source, 0) : undefined },
  );
}

/** Builds the plan from a filter or a SQL statement. Throws ConnectorError on bad input. */
export function planQuery(catalog: StripeCatalog, input: QueryInput): Plan {
  let where: Expr | undefined;
  let entityName = input.entity;
  let select: SelectItem[] | undefined;
  let count = false;
  let order: OrderKey[] = [];
  let limit = input.limit;
  let offset = input.offset ?? 0;
  let source = input.filter ?? '';
  if (input.sql) {
    source = input.sql;
    const q = parseSql(input.sql);
    if (
      entityName &&
      entityName.toLowerCase() !== q.entity.toLowerCase() &&
      catalog.findEntity(entityName) !== catalog.findEntity(q.entity)
    )
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `the query reads ${q.entity} but the entity given is ${entityName}`,
      );
    entityName = q.entity;
    where = q.where;
    select = q.select;
    count = q.count;
    order = q.orderBy;
    if (q.limit !== undefined) limit = limit === undefined ? q.limit : Math.min(limit, q.limit);
    if (q.offset !== undefined) offset = q.offset;
    if (input.filter) where = and([where, parseFilter(input.filter)].filter((e): e is Expr => Boolean(e)));
  } else if (input.filter) {
    where = parseFilter(input.filter);
  }
  if (!entityName)
    throw new ConnectorError('INVALID_ARGUMENT', 'an entity is needed (e.g. --entity Customer)');
  const entity = catalog.entity(entityName);
  const binder = makeBinder(catalog, entity, source);
  const bound = bindExpr(binder, where);
  where = bound.expr;
  const expand = bound.expand;
  select = select?.map((s) => {
    const f = bindField(binder, s.field, s.pos);
    if (f.expand) expand.add(f.expand);
    return { ...s, field: f.path };
  });
  order = order.map((o) => {
    const f = bindField(binder, o.field, o.pos);
    if (f.expand) expand.add(f.expand);
    return { ...o, field: f.path, fieldKind: f.kind };
  });
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new ConnectorError('INVALID_VALUE', `limit must be a non-negative integer, got ${limit}`, {
      field: 'limit',
    });
  if (!Number.isInteger(offset) || offset < 0)
    throw new ConnectorError('INVALID_VALUE', `offset must be a non-negative integer, got ${offset}`, {
      field: 'offset',
    });

  const items = conjuncts(where);
  const equalities = new Map<string, LeafExpr>();
  for (const item of items) if (item.kind === 'compare' && item.op === '=') equalities.set(item.field, item);
  const { op, path, consumed } = chooseListOperation(catalog, entity, equalities, source);
  const consumedSet = new Set<Expr>(consumed);
  const pushed: string[] = consumed.map((c) => toText(c));
  const params: Record<string, unknown> = {};
  const ranges = new Map<string, Range>();
  let fanOut: { param: string; values: Value[] } | undefined;
  let retrieveIds: string[] | undefined;
  const paramByName = new Map(op.params.map((p) => [p.name, p]));

  for (const item of items) {
    if (consumedSet.has(item) || !('field' in item)) continue;
    if (item.fieldKind === 'parent') continue;
    const param = paramByName.get(item.field);
    if (item.field === 'id' && !retrieveIds) {
      if (item.kind === 'compare' && item.op === '=' && typeof item.value === 'string')
        retrieveIds = [item.value];
      else if (item.kind === 'in' && !item.negated && item.values.length <= IN_SCANS_MAX)
        retrieveIds = item.values.filter((v): v is string => typeof v === 'string');
      continue;
    }
    if (!param || ['limit', 'starting_after', 'ending_before', 'expand'].includes(item.field)) continue;
    if (item.kind === 'compare' && rangeParam(param) && typeof item.value === 'number' && item.op !== '!=') {
      const r = ranges.get(item.field) ?? {};
      const v = item.value;
      if (item.op === '=') {
        r.gte = Math.max(r.gte ?? -Infinity, v);
        r.lte = Math.min(r.lte ?? Infinity, v);
      } else if (item.op === '>') r.gt = Math.max(r.gt ?? -Infinity, v);
      else if (item.op === '>=') r.gte = Math.max(r.gte ?? -Infinity, v);
      else if (item.op === '<') r.lt = Math.min(r.lt ?? Infinity, v);
      else if (item.op === '<=') r.lte = Math.min(r.lte ?? Infinity, v);
      ranges.set(item.field, r);
      consumedSet.add(item);
      pushed.push(toText(item));
    } else if (
      item.kind === 'compare' &&
      item.op === '=' &&
      scalarParam(param) &&
      paramAccepts(param, item.value)
    ) {
      if (item.field in params) continue;
      params[item.field] = item.value;
      consumedSet.add(item);
      pushed.push(toText(item));
    } else if (
      item.kind === 'in' &&
      !item.negated &&
      !fanOut &&
      scalarParam(param) &&
      !(item.field in params) &&
      item.values.length > 0 &&
      item.values.length <= IN_SCANS_MAX &&
      item.values.every((v) => v === null || paramAccepts(param, v))
    ) {
      fanOut = { param: item.field, values: [...new Set(item.values.filter((v) => v !== null))] };
      consumedSet.add(item);
      pushed.push(toText(item));
    }
  }
  for (const [name, r] of ranges) params[name] = r;
  for (const [name, value] of Object.entries(LIST_DEFAULTS[entity.id] ?? {})) {
    if (paramByName.has(name) && !(name in params) && fanOut?.param !== name) params[name] = value;
  }

  const notes: string[] = [];
  let residual = and(items.filter((i) => !consumedSet.has(i)));
  let scans: Scan[];
  let search: string | undefined;
  const expandList = [...expand];
  const withExpand = (p: Record<string, unknown>, prefix: string) =>
    expandList.length ? { ...p, expand: expandList.map((e) => prefix + e) } : p;

  const retrieve = catalog.operation(entity, 'retrieve');
  const searchOp = catalog.operation(entity, 'search');
  const pushedEquality =
    Object.keys(params).some((k) => !ranges.has(k) && !LIST_DEFAULTS[entity.id]?.[k]) || fanOut;
  const fullScan = pushed.length === 0;
  const sq = searchOp && input.allowSearch !== false ? searchQuery(entity.id, where) : undefined;

  if (retrieveIds && retrieve && retrieve.pathParams.every((p) => p.self || equalities.has(p.name))) {
    scans = retrieveIds.map((id) => {
      let p = retrieve.path;
      for (const pp of retrieve.pathParams) {
        const v = pp.self ? id : (equalities.get(pp.name) as { value: string }).value;
        p = p.replace(`{${pp.name}}`, encodeURIComponent(v));
      }
      return { kind: 'retrieve', call: { method: 'GET', path: p, params: withExpand({}, '') } };
    });
    residual = where;
    pushed.splice(0, pushed.length, `id IN (${retrieveIds.map((i) => `'${i}'`).join(', ')})`);
    notes.push('id given: retrieving each object; the whole filter is re-checked locally');
  } else if (sq && (input.allowSearch === true ? !pushedEquality : fullScan)) {
    search = sq;
    scans = [
      {
        kind: 'search',
        call: { method: 'GET', path: searchOp!.path, params: withExpand({ query: sq }, 'data.') },
      },
    ];
    residual = where;
    pushed.splice(0, pushed.length);
    notes.push(
      input.allowSearch
        ? 'search allowed: Stripe search narrows the scan (it may lag writes by up to a minute); rows re-checked locally'
        : 'no list parameter applies, so Stripe search replaces a full scan (it may lag writes by up to a minute); rows re-checked locally',
    );
  } else {
    const base = withExpand(params, 'data.');
    scans = fanOut
      ? fanOut.values.map((v) => ({
          kind: 'list',
          call: { method: 'GET', path, params: { ...base, [fanOut!.param]: v } },
        }))
      : [{ kind: 'list', call: { method: 'GET', path, params: base } }];
    if (fullScan && !residual) notes.push('no filter: full scan');
    else if (fullScan) notes.push('no predicate can be pushed down: full scan with local filtering');
  }

  // ORDER BY: Stripe lists come newest first, so `created DESC` streams; anything else buffers.
  let orderMode: OrderMode = 'none';
  if (count) order = [];
  const listOrdered = scans[0].kind === 'list';
  if (order.length) {
    if (listOrdered && order.length === 1 && order[0].field === 'created' && order[0].direction === 'desc')
      orderMode = 'native';
    else orderMode = limit !== undefined ? 'topk' : 'buffer';
  }
  const maxBuffer = input.maxBuffer ?? DEFAULT_MAX_BUFFER;
  if (orderMode === 'topk' && limit! + offset > maxBuffer) orderMode = 'buffer';

  let pageSize = PAGE_MAX;
  const streamsExactly = !residual && (orderMode === 'none' || orderMode === 'native') && !count;
  if (limit !== undefined && streamsExactly && scans.length === 1)
    pageSize = Math.max(1, Math.min(PAGE_MAX, limit + offset));
  for (const scan of scans) if (scan.kind !== 'retrieve') scan.call.params.limit = pageSize;

  const sliceable =
    scans.length === 1 &&
    scans[0].kind === 'list' &&
    rangeParam(paramByName.get('created')) &&
    limit === undefined &&
    (orderMode === 'none' || orderMode === 'native' || count);

  const recheck =
    scans[0].kind === 'list'
      ? and(
          items.filter(
            (i) =>
              consumedSet.has(i) &&
              ((i.kind === 'compare' && i.op === '=' && typeof i.value === 'string') || i.kind === 'in') &&
              i.fieldKind !== 'parent',
          ),
        )
      : undefined;

  return {
    entity: entity.entity,
    resource: entity.id,
    scans,
    merge: scans.length > 1 && orderMode === 'native' ? 'created-desc' : 'concat',
    search,
    pushed,
    residual,
    recheck,
    select: count ? undefined : select,
    count,
    order,
    orderMode,
    limit,
    offset,
    pageSize,
    sliceable,
    maxBuffer,
    notes,
  };
}

/** Fields a plan reads locally (for messages). */
export function residualFields(plan: Plan): string[] {
  return [...new Set(leaves(plan.residual).map((l) => l.field))];
}
