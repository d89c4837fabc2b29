/** The plan as data: what will be called, what Stripe filters, what is checked locally. */
import type { StripeCatalog } from '../catalog/index.ts';
import { toText } from './ast.ts';
import { planQuery, type Plan, type QueryInput } from './plan.ts';

export interface Explanation {
  entity: string;
  calls: Array<{ kind: string; method: string; path: string; params: Record<string, unknown> }>;
  search?: string;
  pushedDown: string[];
  residual: string | null;
  select: string[] | '*';
  count: boolean;
  order: { by: string[]; mode: string; detail: string };
  limit: number | null;
  offset: number;
  pageSize: number;
  /** Pages fetched, when it can be known before running (null: depends on the data). */
  estimatedPages: number | null;
  slicing: string;
  notes: string[];
}

const ORDER_DETAIL: Record<Plan['orderMode'], string> = {
  none: 'no ORDER BY: rows stream in Stripe order',
  native: 'Stripe lists newest first: streams without buffering',
  topk: 'sorted locally keeping only LIMIT+OFFSET rows (top-K heap)',
  buffer: 'sorted locally: holds every row (bounded; add a LIMIT for large results)',
};

/** Requests a plan makes, when it can be known before running (null: depends on the data). */
export function estimatedPages(plan: Plan): number | null {
  if (plan.scans.every((s) => s.kind === 'retrieve')) return plan.scans.length;
  const exact = !plan.residual && (plan.orderMode === 'none' || plan.orderMode === 'native') && !plan.count;
  if (plan.limit !== undefined && exact && plan.scans.length === 1)
    return Math.max(1, Math.ceil((plan.limit + plan.offset) / plan.pageSize));
  return null;
}

function explainPlan(plan: Plan): Explanation {
  return {
    entity: plan.entity,
    calls: plan.scans.map((s) => ({ kind: s.kind, ...s.call })),
    ...(plan.search ? { search: plan.search } : {}),
    pushedDown: plan.pushed,
    residual: plan.residual ? toText(plan.residual) : null,
    select: plan.select
      ? plan.select.map((s) => (s.as === s.field ? s.field : `${s.field} AS ${s.as}`))
      : '*',
    count: plan.count,
    order: {
      by: plan.order.map((o) => `${o.field} ${o.direction.toUpperCase()}`),
      mode: plan.orderMode,
      detail: ORDER_DETAIL[plan.orderMode],
    },
    limit: plan.limit ?? null,
    offset: plan.offset,
    pageSize: plan.pageSize,
    estimatedPages: estimatedPages(plan),
    slicing: plan.sliceable
      ? 'a scan longer than 2 pages splits the created range into concurrent slices'
      : 'none (single cursor)',
    notes: plan.notes,
  };
}

export function explain(catalog: StripeCatalog, input: QueryInput): Explanation {
  return explainPlan(planQuery(catalog, input));
}
