/**
 * The planner: decides per predicate of the top-level AND what Stripe can do for us, in named
 * steps, each in its own module:
 *   1. bind (bind.ts): text → one entity, names resolved, values coerced, expansions noted;
 *   2. pick the list operation (operation.ts): the entity's list, or a nested one by parent ids;
 *   3. pushdown (pushdown.ts): list parameters, ranges, IN fan-out, all within the request bound;
 *   4. choose the scans (scans.ts): retrieves, Stripe search (by SEARCH_RULE) or list calls;
 *   5. order and paging (here): streamed, top-K or buffered order; page size; slicing.
 * Whatever Stripe does not apply is the residual, evaluated locally on the stream.
 */
import type { StripeCatalog } from '../catalog/index.ts';
import type { Expr, OrderKey, SelectItem } from './ast.ts';
import { bindQuery, type BoundQuery } from './bind.ts';
import { pickListOperation, type ListChoice } from './operation.ts';
import { pushDown, rangeParam, type Pushdown } from './pushdown.ts';
import { chooseScans, type ScanChoice } from './scans.ts';
import { LIST_DEFAULTS } from '../catalog/overrides.ts';

export interface QueryInput {
  /** Entity name (required with `filter`; taken from FROM with `sql`). */
  entity?: string;
  filter?: string;
  sql?: string;
  limit?: number;
  offset?: number;
  /** SEARCH_RULE: true prefers search where it applies; false never; undefined only instead of a full scan. */
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
  /** Predicates Stripe applies (as filter text; a search as its query), for explain. */
  pushed: string[];
  /** Evaluated locally on every row. */
  residual?: Expr;
  /**
   * Pushed-down equalities checked again locally: Stripe's matching can be looser than SQL's
   * (e.g. email ignoring case), and a re-check of a few fields per row is cheap insurance.
   */
  recheck?: Expr;
  select?: SelectItem[];
  /** Fields expanded only for the filter or the order: shown as ids in the output. */
  collapse: string[];
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

const PAGE_MAX = 100;
const DEFAULT_MAX_BUFFER = 100_000;

/** Stripe list defaults that would silently hide rows (subscriptions omit canceled ones). */
function applyListDefaults(q: BoundQuery, list: ListChoice, pd: Pushdown): void {
  const names = new Set(list.op.params.map((p) => p.name));
  for (const [name, value] of Object.entries(LIST_DEFAULTS[q.entity.id] ?? {})) {
    if (names.has(name) && !(name in pd.params) && pd.fanOut?.param !== name) pd.params[name] = value;
  }
}

type Paging = Pick<Plan, 'orderMode' | 'pageSize' | 'sliceable' | 'merge'>;

/** Step 5: Stripe lists come newest first, so `created DESC` streams; any other order sorts locally. */
function orderAndPaging(q: BoundQuery, list: ListChoice, chosen: ScanChoice, maxBuffer: number): Paging {
  const { scans } = chosen;
  const { order, limit, offset } = q;
  let orderMode: OrderMode = 'none';
  if (order.length) {
    const newestFirst = order.length === 1 && order[0].field === 'created' && order[0].direction === 'desc';
    if (scans[0].kind === 'list' && newestFirst) orderMode = 'native';
    else orderMode = limit !== undefined ? 'topk' : 'buffer';
  }
  if (orderMode === 'topk' && limit! + offset > maxBuffer) orderMode = 'buffer';
  let pageSize = PAGE_MAX;
  const streamsExactly = !chosen.residual && (orderMode === 'none' || orderMode === 'native') && !q.count;
  if (limit !== undefined && streamsExactly && scans.length === 1)
    pageSize = Math.max(1, Math.min(PAGE_MAX, limit + offset));
  for (const scan of scans) if (scan.kind !== 'retrieve') scan.call.params.limit = pageSize;
  const sliceable =
    scans.length === 1 &&
    scans[0].kind === 'list' &&
    rangeParam(list.op.params.find((p) => p.name === 'created')) &&
    limit === undefined &&
    (orderMode === 'none' || orderMode === 'native' || q.count);
  const merge = scans.length > 1 && orderMode === 'native' ? 'created-desc' : 'concat';
  return { orderMode, pageSize, sliceable, merge };
}

/** Builds the plan from a filter or a SQL statement. Throws ConnectorError on bad input. */
export function planQuery(catalog: StripeCatalog, input: QueryInput): Plan {
  const q = bindQuery(catalog, input);
  const list = pickListOperation(catalog, q);
  const pd = pushDown(q, list);
  applyListDefaults(q, list, pd);
  const chosen = chooseScans(catalog, q, list, pd, input.allowSearch);
  const maxBuffer = input.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const paging = orderAndPaging(q, list, chosen, maxBuffer);
  return {
    entity: q.entity.entity,
    resource: q.entity.id,
    scans: chosen.scans,
    search: chosen.search,
    pushed: chosen.pushed,
    residual: chosen.residual,
    recheck: chosen.scans[0].kind === 'list' ? chosen.recheck : undefined,
    select: q.select,
    collapse: q.collapse,
    count: q.count,
    order: q.order,
    limit: q.limit,
    offset: q.offset,
    maxBuffer,
    notes: chosen.notes,
    ...paging,
  };
}
