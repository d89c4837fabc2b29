/**
 * Planner step 4, choose the scans: retrieves when ids are given, else Stripe search or the list
 * call(s) by SEARCH_RULE. Retrieves and searches re-check the whole filter locally; a list
 * re-checks the equalities it pushed (Stripe's matching can be looser than SQL's).
 */
import type { StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import { and, leaves, type Expr } from './ast.ts';
import type { BoundQuery } from './bind.ts';
import { pathId, type ListChoice } from './operation.ts';
import type { ApiCall, Scan } from './plan.ts';
import type { Pushdown } from './pushdown.ts';
import { REQUEST_MAX, requestSize } from './request-size.ts';
import { searchQuery } from './searchable.ts';
import { SEARCH_CAVEAT } from './search-rule.ts';

export interface ScanChoice {
  scans: Scan[];
  search?: string;
  pushed: string[];
  residual?: Expr;
  recheck?: Expr;
  notes: string[];
}

const withExpand = (params: Record<string, unknown>, expand: string[], prefix: string) =>
  expand.length ? { ...params, expand: expand.map((e) => prefix + e) } : params;

function retrieves(
  catalog: StripeCatalog,
  q: BoundQuery,
  list: ListChoice,
  all: string[],
): Scan[] | undefined {
  const op = catalog.operation(q.entity, 'retrieve');
  if (!op || !op.pathParams.every((p) => p.self || list.equalities.has(p.name))) return undefined;
  const ids = all.filter(pathId);
  if (!ids.length) return undefined;
  const scans = ids.map((id): Scan => {
    let path = op.path;
    for (const pp of op.pathParams) {
      const v = pp.self ? id : (list.equalities.get(pp.name) as { value: string }).value;
      path = path.replace(`{${pp.name}}`, encodeURIComponent(v));
    }
    return { kind: 'retrieve', call: { method: 'GET', path, params: withExpand({}, q.expand, '') } };
  });
  return scans.every((s) => requestSize(s.call.path, s.call.params) <= REQUEST_MAX) ? scans : undefined;
}

function search(q: BoundQuery, path: string): { call: ApiCall; query: string; used: number } | undefined {
  const params = withExpand({ limit: 100, page: 'x'.repeat(200) }, q.expand, 'data.');
  const budget = REQUEST_MAX - requestSize(path, params) - 'query='.length;
  const sq = searchQuery(q.entity.id, q.where, budget);
  if (!sq) return undefined;
  return {
    call: { method: 'GET', path, params: withExpand({ query: sq.query }, q.expand, 'data.') },
    query: sq.query,
    used: sq.used.length,
  };
}

/** A list parameter that is no field can only be applied by the list call: it must have been pushed. */
function checkParamOnly(q: BoundQuery, residual: Expr | undefined): void {
  const stuck = leaves(residual).find((l) => l.paramOnly);
  if (!stuck) return;
  throw new ConnectorError(
    'QUERY_UNSUPPORTED',
    `${stuck.field} is a parameter of the ${q.entity.entity} list, not a field of its objects: it can only be used as ${stuck.field} = <value> (or a small IN) joined to the rest with AND`,
    { field: stuck.field, position: stuck.pos },
  );
}

export function chooseScans(
  catalog: StripeCatalog,
  q: BoundQuery,
  list: ListChoice,
  pd: Pushdown,
  allowSearch: boolean | undefined,
): ScanChoice {
  const notes = [...pd.notes];
  const paramOnly = leaves(q.where).some((l) => l.paramOnly);
  const byId = pd.retrieveIds && !paramOnly ? retrieves(catalog, q, list, pd.retrieveIds) : undefined;
  if (byId) {
    notes.push('id given: retrieving each object; the whole filter is re-checked locally');
    const ids = pd
      .retrieveIds!.filter(pathId)
      .map((i) => `'${i}'`)
      .join(', ');
    return { scans: byId, pushed: [`id IN (${ids})`], residual: q.where, notes };
  }
  const searchOp = catalog.operation(q.entity, 'search');
  const fullScan = pd.pushed.length === 0;
  const found = searchOp && allowSearch !== false && !paramOnly ? search(q, searchOp.path) : undefined;
  // SEARCH_RULE: by default only in place of a full scan; with --search whenever it applies.
  if (found && (allowSearch === true || fullScan)) {
    notes.push(
      `${allowSearch ? 'search preferred (--search)' : 'no list parameter applies, so Stripe search replaces a full scan'}: ${SEARCH_CAVEAT}; rows re-checked locally`,
    );
    return {
      scans: [{ kind: 'search', call: found.call }],
      search: found.query,
      pushed: [`Stripe search ${found.query} (${SEARCH_CAVEAT})`],
      residual: q.where,
      notes,
    };
  }
  const residual = and(q.items.filter((i) => !pd.consumed.has(i)));
  checkParamOnly(q, residual);
  const base = withExpand(pd.params, q.expand, 'data.');
  const scans: Scan[] = pd.fanOut
    ? pd.fanOut.values.map((v) => ({
        kind: 'list',
        call: { method: 'GET', path: list.path, params: { ...base, [pd.fanOut!.param]: v } },
      }))
    : [{ kind: 'list', call: { method: 'GET', path: list.path, params: base } }];
  if (fullScan && !residual) notes.push('no filter: full scan');
  else if (fullScan) notes.push('no predicate can be pushed down: full scan with local filtering');
  const recheck = and(
    q.items.filter(
      (i) =>
        pd.consumed.has(i) &&
        'field' in i &&
        !i.paramOnly &&
        i.fieldKind !== 'parent' &&
        ((i.kind === 'compare' && i.op === '=' && typeof i.value === 'string') ||
          i.kind === 'in' ||
          i.kind === 'like'),
    ),
  );
  return { scans, pushed: pd.pushed, residual, recheck, notes };
}
