/**
 * Planner step 1, bind: the filter and/or SQL text → one query over one entity, every name
 * resolved against the catalog and every value coerced (fields.ts), with the expansions it needs.
 */
import type { Entity, StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import { and, conjuncts, type Expr, type OrderKey, type SelectItem } from './ast.ts';
import { bindExpr, bindField, makeBinder } from './fields.ts';
import { parseFilter, parseSql } from './parse.ts';
import type { QueryInput } from './plan.ts';

export interface BoundQuery {
  entity: Entity;
  /** The user's text (for carets). */
  source: string;
  where?: Expr;
  /** The items of the top-level AND of `where`. */
  items: Expr[];
  select?: SelectItem[];
  count: boolean;
  order: OrderKey[];
  limit?: number;
  offset: number;
  /** `expand[]` the calls need: for the filter, the order and the selected sub-fields. */
  expand: string[];
  /**
   * Fields expanded only to evaluate the filter or the order: the output shows them as they are
   * without the expansion (the id), so a WHERE clause never changes a row's shape.
   */
  collapse: string[];
}

interface Parsed {
  entityName?: string;
  source: string;
  where?: Expr;
  select?: SelectItem[];
  count: boolean;
  order: OrderKey[];
  limit?: number;
  offset: number;
}

function parseInput(catalog: StripeCatalog, input: QueryInput): Parsed {
  const filter = input.filter ? parseFilter(input.filter) : undefined;
  if (!input.sql)
    return {
      entityName: input.entity,
      source: input.filter ?? '',
      where: filter,
      count: false,
      order: [],
      limit: input.limit,
      offset: input.offset ?? 0,
    };
  const q = parseSql(input.sql);
  if (
    input.entity &&
    input.entity.toLowerCase() !== q.entity.toLowerCase() &&
    catalog.findEntity(input.entity) !== catalog.findEntity(q.entity)
  )
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `the query reads ${q.entity} but the entity given is ${input.entity}`,
    );
  const limit =
    q.limit === undefined
      ? input.limit
      : input.limit === undefined
        ? q.limit
        : Math.min(input.limit, q.limit);
  return {
    entityName: q.entity,
    source: input.sql,
    where: and([q.where, filter].filter((e): e is Expr => Boolean(e))),
    select: q.select,
    count: q.count,
    order: q.orderBy,
    limit,
    offset: q.offset ?? input.offset ?? 0,
  };
}

function checkPaging(limit: number | undefined, offset: number): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new ConnectorError('INVALID_VALUE', `limit must be a non-negative integer, got ${limit}`, {
      field: 'limit',
    });
  if (!Number.isInteger(offset) || offset < 0)
    throw new ConnectorError('INVALID_VALUE', `offset must be a non-negative integer, got ${offset}`, {
      field: 'offset',
    });
}

export function bindQuery(catalog: StripeCatalog, input: QueryInput): BoundQuery {
  const parsed = parseInput(catalog, input);
  if (!parsed.entityName)
    throw new ConnectorError('INVALID_ARGUMENT', 'an entity is needed (e.g. --entity Customer)');
  checkPaging(parsed.limit, parsed.offset);
  const entity = catalog.entity(parsed.entityName);
  const binder = makeBinder(catalog, entity, parsed.source);
  const { expr: where, expand: forFilter } = bindExpr(binder, parsed.where);
  const forOutput = new Set<string>();
  const select = parsed.select?.map((s) => {
    const f = bindField(binder, s.field, s.pos);
    if (f.expand) forOutput.add(f.expand);
    return { ...s, field: f.path };
  });
  const order = parsed.order.map((o) => {
    const f = bindField(binder, o.field, o.pos);
    if (f.expand) forFilter.add(f.expand);
    return { ...o, field: f.path, fieldKind: f.kind };
  });
  return {
    entity,
    source: parsed.source,
    where,
    items: conjuncts(where),
    select: parsed.count ? undefined : select,
    count: parsed.count,
    order: parsed.count ? [] : order,
    limit: parsed.limit,
    offset: parsed.offset,
    expand: [...new Set([...forFilter, ...forOutput])],
    collapse: [...forFilter].filter((f) => !forOutput.has(f)),
  };
}
