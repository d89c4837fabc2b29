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

function fieldName(resource: string, path: string): string | undefined {
  const fields = SEARCH_FIELDS[resource];
  if (!fields) return undefined;
  const [head, ...rest] = path.split('.');
  // metadata['key'] works on every searchable resource.
  if (head === 'metadata' && rest.length === 1) return `metadata[${quote(rest[0])}]`;
  return fields[path] ? path : undefined;
}

/** One leaf as a search clause, or undefined when search cannot express it. */
export function searchClause(resource: string, leaf: LeafExpr): string | undefined {
  const name = fieldName(resource, leaf.field);
  if (!name) return undefined;
  const type = name.startsWith('metadata[') ? 'string' : SEARCH_FIELDS[resource][leaf.field];
  if (leaf.kind === 'compare') {
    if (leaf.value === null) return undefined;
    const value = typeof leaf.value === 'number' ? String(leaf.value) : quote(leaf.value);
    if (leaf.op === '=') return `${name}:${value}`;
    if (leaf.op === '!=') return `-${name}:${value}`;
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

/**
 * A search query implied by the predicate (a superset of its rows), or undefined. Stripe cannot
 * mix AND and OR in one query, so: the searchable items of a top-level AND, or a top-level OR whose
 * every branch is searchable.
 */
export function searchQuery(resource: string, where: Expr | undefined): string | undefined {
  if (!where || !SEARCH_FIELDS[resource]) return undefined;
  const leafClause = (e: Expr) => ('field' in e ? searchClause(resource, e) : undefined);
  if (where.kind === 'or') {
    const clauses = where.items.map(leafClause);
    return clauses.every(Boolean) ? clauses.join(' OR ') : undefined;
  }
  const items = where.kind === 'and' ? where.items : [where];
  const clauses = items.map(leafClause).filter((c): c is string => Boolean(c));
  return clauses.length ? clauses.join(' AND ') : undefined;
}
