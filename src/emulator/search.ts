/**
 * Stripe's search query language: `field:'value'`, `metadata['k']:'v'`, `-field:'v'` (negation),
 * `AND` / `OR`, `>`, `<`, `>=`, `<=` on numbers and timestamps, `field:null`, and `~`: a
 * case-insensitive substring match anywhere in the value (`email~'amy'` finds amy@… and xamy@…),
 * which Stripe accepts only with a quoted value of at least 3 characters.
 */
import { invalid } from './errors.ts';
import type { Obj } from './objects.ts';

interface Clause {
  path: string[];
  op: ':' | '~' | '>' | '<' | '>=' | '<=';
  value: string | number | null;
  negate: boolean;
}

/** Stripe's minimum length for a `~` value. */
const SUBSTRING_MIN = 3;

export type Predicate = (o: Obj) => boolean;

export function parseSearch(query: string): Predicate {
  const tokens = tokenize(query);
  let pos = 0;
  const groups: Clause[][] = [[]];
  let joiner: 'AND' | 'OR' | undefined;
  while (pos < tokens.length) {
    const t = tokens[pos];
    if (t === 'AND' || t === 'OR') {
      if (joiner && joiner !== t) {
        throw invalid('Search queries cannot mix AND and OR.', undefined, 'query');
      }
      joiner = t;
      if (t === 'OR') groups.push([]);
      pos++;
      continue;
    }
    const [clause, next] = parseClause(tokens, pos);
    groups[groups.length - 1].push(clause);
    pos = next;
  }
  if (groups.every((g) => g.length === 0)) throw invalid('The query is empty.', undefined, 'query');
  return (o) => groups.some((g) => g.length > 0 && g.every((c) => test(c, o)));
}

function tokenize(q: string): string[] {
  const out: string[] = [];
  const re = /\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|>=|<=|[:~<>\-[\]]|[^\s:~<>'"[\]]+)/y;
  const end = q.trimEnd().length;
  let at = 0;
  while (at < end) {
    re.lastIndex = at;
    const m = re.exec(q);
    if (!m) throw invalid(`Invalid search query: ${q}`, undefined, 'query');
    out.push(m[1]);
    at = re.lastIndex;
  }
  return out;
}

function parseClause(tokens: string[], start: number): [Clause, number] {
  let pos = start;
  let negate = false;
  if (tokens[pos] === '-') {
    negate = true;
    pos++;
  }
  const field = tokens[pos++];
  if (!field || !/^[a-zA-Z_][\w.]*$/.test(field))
    throw invalid(`Invalid search query near '${field}'`, undefined, 'query');
  const path = field.split('.');
  if (tokens[pos] === '[') {
    const key = unquote(tokens[pos + 1] ?? '');
    if (tokens[pos + 2] !== ']') throw invalid('Invalid search query: expected ]', undefined, 'query');
    path.push(key);
    pos += 3;
  }
  const op = tokens[pos++] as Clause['op'];
  if (![':', '~', '>', '<', '>=', '<='].includes(op)) {
    throw invalid(`Invalid search query: expected an operator after ${field}`, undefined, 'query');
  }
  const raw = tokens[pos++];
  if (raw === undefined) throw invalid('Invalid search query: missing value', undefined, 'query');
  let value: Clause['value'];
  if (raw.startsWith("'") || raw.startsWith('"')) value = unquote(raw);
  else if (raw === 'null') value = null;
  else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
  else throw invalid(`Invalid search query: values must be quoted ('${raw}')`, undefined, 'query');
  if (op === '~' && (typeof value !== 'string' || value.length < SUBSTRING_MIN)) {
    throw invalid(
      `Invalid search query: a substring match (~) on ${field} needs a quoted value of at least ${SUBSTRING_MIN} characters.`,
      undefined,
      'query',
    );
  }
  return [{ path, op, value, negate }, pos];
}

function unquote(s: string): string {
  if (s.startsWith("'") || s.startsWith('"')) return s.slice(1, -1).replace(/\\(.)/g, '$1');
  return s;
}

function test(c: Clause, o: Obj): boolean {
  let v: any = o;
  for (const p of c.path) v = v == null ? undefined : v[p];
  let result: boolean;
  if (c.value === null) result = v === null || v === undefined;
  else if (c.op === ':') {
    result =
      typeof c.value === 'number'
        ? Number(v) === c.value
        : String(v ?? '').toLowerCase() === c.value.toLowerCase();
    if (typeof c.value === 'string' && typeof v === 'number') result = v === Number(c.value);
  } else if (c.op === '~')
    result = String(v ?? '')
      .toLowerCase()
      .includes(String(c.value).toLowerCase());
  else {
    const a = Number(v);
    const b = Number(c.value);
    if (v === null || v === undefined || Number.isNaN(a)) result = false;
    else result = c.op === '>' ? a > b : c.op === '<' ? a < b : c.op === '>=' ? a >= b : a <= b;
  }
  return c.negate ? !result : result;
}
