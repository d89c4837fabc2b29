/**
 * Local evaluation of a bound predicate on Stripe objects, with SQL semantics: three-valued logic
 * (NULL = unknown), NULL never equals anything, `x NOT IN (…, NULL)` is never true. Paths through
 * arrays (`lines.data.price`) are true when any element matches. Expanded objects compare by id.
 * Predicates are compiled once to closures: this runs on every row of a full scan.
 */
import type { Expr, LeafExpr, OrderKey, Value } from './ast.ts';

export type Truth = boolean | null;
type Test = (row: unknown) => Truth;

/** The values a path reaches (more than one only through arrays); null/undefined dropped. */
function valuesAt(row: unknown, path: string, spreadLast = true): unknown[] {
  let current: unknown[] = [row];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || value === undefined) continue;
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item !== null && typeof item === 'object') {
          const v = (item as Record<string, unknown>)[part];
          if (v !== undefined) next.push(v);
        }
      }
    }
    current = next;
  }
  const values = spreadLast ? current.flatMap((v) => (Array.isArray(v) ? v : [v])) : current;
  return values.filter((v) => v !== null && v !== undefined);
}

/** A single value at a path (first match), for projections and ordering. */
export function valueAt(row: unknown, path: string): unknown {
  let current: unknown = row;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function scalar(v: unknown): unknown {
  // An expandable field may hold the expanded object: it stands for its id.
  if (v !== null && typeof v === 'object' && 'id' in (v as object)) return (v as { id: unknown }).id;
  return v;
}

/** Orders two non-null values of possibly different JS types; numbers numerically. */
function compareValues(a: unknown, b: unknown): number {
  a = scalar(a);
  b = scalar(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b)))
    return a - Number(b);
  if (typeof b === 'number' && typeof a === 'string' && a.trim() !== '' && !Number.isNaN(Number(a)))
    return Number(a) - b;
  const sa = typeof a === 'object' ? JSON.stringify(a) : String(a);
  const sb = typeof b === 'object' ? JSON.stringify(b) : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** SQL LIKE → RegExp: `%` any run, `_` one char, `\` escapes. */
function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) source += pattern[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

/** ANY over the candidate values: true if one is true, else unknown if one is unknown. */
function any(values: unknown[], test: (v: unknown) => Truth): Truth {
  if (values.length === 0) return null;
  let result: Truth = false;
  for (const v of values) {
    const t = test(v);
    if (t === true) return true;
    if (t === null) result = null;
  }
  return result;
}

const not = (t: Truth): Truth => (t === null ? null : !t);

function compileLeaf(leaf: LeafExpr): Test {
  const path = leaf.field;
  switch (leaf.kind) {
    case 'null':
      // An empty array is a value, not NULL.
      return (row) => (valuesAt(row, path, false).length === 0) !== leaf.negated;
    case 'compare': {
      const { op, value } = leaf;
      if (value === null) return () => null;
      const check = (v: unknown): Truth => {
        const c = compareValues(v, value);
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
        }
      };
      // `!=` over an array means "no element equals", not "some element differs".
      if (op === '!=') return (row) => not(any(valuesAt(row, path), (v) => compareValues(v, value) === 0));
      return (row) => any(valuesAt(row, path), check);
    }
    case 'in': {
      const present = leaf.values.filter((v): v is Exclude<Value, null> => v !== null);
      const hasNull = present.length !== leaf.values.length;
      const test = (v: unknown): Truth =>
        present.some((p) => compareValues(v, p) === 0) ? true : hasNull ? null : false;
      return leaf.negated
        ? (row) => not(any(valuesAt(row, path), test))
        : (row) => any(valuesAt(row, path), test);
    }
    case 'like': {
      const re = likeRegExp(leaf.pattern, leaf.caseInsensitive);
      const test = (v: unknown): Truth => re.test(String(scalar(v)));
      return leaf.negated
        ? (row) => not(any(valuesAt(row, path), test))
        : (row) => any(valuesAt(row, path), test);
    }
  }
}

export function compile(expr: Expr | undefined): Test {
  if (!expr) return () => true;
  switch (expr.kind) {
    case 'and': {
      const tests = expr.items.map(compile);
      return (row) => {
        let result: Truth = true;
        for (const t of tests) {
          const r = t(row);
          if (r === false) return false;
          if (r === null) result = null;
        }
        return result;
      };
    }
    case 'or': {
      const tests = expr.items.map(compile);
      return (row) => {
        let result: Truth = false;
        for (const t of tests) {
          const r = t(row);
          if (r === true) return true;
          if (r === null) result = null;
        }
        return result;
      };
    }
    case 'not': {
      const inner = compile(expr.expr);
      return (row) => not(inner(row));
    }
    default:
      return compileLeaf(expr);
  }
}

/** ORDER BY comparator; NULLs sort as the largest values (PostgreSQL's default). */
export function comparator(order: OrderKey[]): (a: unknown, b: unknown) => number {
  return (a, b) => {
    for (const key of order) {
      const va = scalar(valueAt(a, key.field));
      const vb = scalar(valueAt(b, key.field));
      const na = va === null || va === undefined;
      const nb = vb === null || vb === undefined;
      let c = na && nb ? 0 : na ? 1 : nb ? -1 : compareValues(va, vb);
      if (key.direction === 'desc') c = -c;
      if (c !== 0) return c;
    }
    return 0;
  };
}
