/**
 * Stripe's search query language, for the 7 searchable resources. Which fields each resource can
 * be searched by is a Stripe fact not in the OpenAPI spec, so it is kept by hand in
 * catalog/overrides.ts (SEARCH_FIELDS).
 *
 * Search results are always re-checked locally with the full predicate: Stripe's matching is
 * looser in places (case-insensitive exact match, `~` substring with 3+ characters), so the search
 * narrows the scan and the evaluator keeps SQL semantics exact.
 */
import type { Expr, LeafExpr } from './ast.ts';
import { SEARCH_FIELDS } from '../catalog/overrides.ts';

export { SEARCH_FIELDS };

const quote = (v: unknown) => `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Clauses in one query. Stripe documents no figure we rely on; past a handful of clauses a
 * query gains little, and a bounded clause count keeps the query well inside the request bound.
 */
const SEARCH_CLAUSES_MAX = 10;

function fieldName(resource: string, path: string): string | undefined {
  const fields = SEARCH_FIELDS[resource];
  if (!fields) return undefined;
  const [head, ...rest] = path.split('.');
  // metadata['key'] works on every searchable resource.
  if (head === 'metadata' && rest.length === 1) return `metadata[${quote(rest[0])}]`;
  return fields[path] ? path : undefined;
}

/**
 * A number as Stripe's query language takes it unquoted: digits only. Stripe's parser reads a
 * leading `-` as negation (`amount>-1` is refused: "values must be quoted"), and a quoted number
 * is a string match, so a negative or fractional number stays local.
 */
const plainNumber = (n: number) => (Number.isSafeInteger(n) && n >= 0 ? String(n) : undefined);

/** One leaf as a search clause, or undefined when search cannot express it. */
function searchClause(resource: string, leaf: LeafExpr): string | undefined {
  const name = fieldName(resource, leaf.field);
  if (!name || leaf.paramOnly) return undefined;
  const type = name.startsWith('metadata[') ? 'string' : SEARCH_FIELDS[resource][leaf.field];
  if (leaf.kind === 'compare') {
    if (leaf.value === null) return undefined;
    const value = typeof leaf.value === 'number' ? plainNumber(leaf.value) : quote(leaf.value);
    if (value === undefined) return undefined;
    if (leaf.op === '=') return `${name}:${value}`;
    if (leaf.op === '!=') return `-${name}:${value}`;
    // Comparators only on numeric fields, with a number (`amount>1000`, `created>=1704067200`).
    if (type !== 'number' || typeof leaf.value !== 'number') return undefined;
    return `${name}${leaf.op}${value}`;
  }
  if (leaf.kind === 'like' && !leaf.negated && type === 'string') {
    // `%abc%` → substring; Stripe needs at least 3 characters and has no anchors or `_`.
    const m = /^%([^%_\\]{3,})%$/.exec(leaf.pattern) ?? /^([^%_\\]{3,})%$/.exec(leaf.pattern);
    return m ? `${name}~${quote(m[1])}` : undefined;
  }
  return undefined;
}

export interface SearchQuery {
  query: string;
  /** The predicates the query expresses (a superset of the rows: every row is re-checked). */
  used: LeafExpr[];
}

/**
 * A search query implied by the predicate (a superset of its rows), or undefined. Stripe cannot
 * mix AND and OR in one query, so: the searchable items of a top-level AND (as many as fit in
 * `maxChars` and SEARCH_CLAUSES_MAX: dropping an AND clause keeps a superset), or a top-level OR
 * whose every branch is searchable and which fits whole.
 */
export function searchQuery(
  resource: string,
  where: Expr | undefined,
  maxChars: number,
): SearchQuery | undefined {
  if (!where || !SEARCH_FIELDS[resource]) return undefined;
  const leafClause = (e: Expr) => ('field' in e ? searchClause(resource, e) : undefined);
  const size = (clauses: string[], join: string) => encodeURIComponent(clauses.join(join)).length;
  if (where.kind === 'or') {
    const clauses = where.items.map(leafClause);
    if (!clauses.every(Boolean) || clauses.length > SEARCH_CLAUSES_MAX) return undefined;
    if (size(clauses as string[], ' OR ') > maxChars) return undefined;
    return { query: clauses.join(' OR '), used: where.items as LeafExpr[] };
  }
  const clauses: string[] = [];
  const used: LeafExpr[] = [];
  for (const item of where.kind === 'and' ? where.items : [where]) {
    const clause = leafClause(item);
    if (!clause || clauses.length >= SEARCH_CLAUSES_MAX) continue;
    if (size([...clauses, clause], ' AND ') > maxChars) continue;
    clauses.push(clause);
    used.push(item as LeafExpr);
  }
  return clauses.length ? { query: clauses.join(' AND '), used } : undefined;
}
