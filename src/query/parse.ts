/**
 * Filter clauses and SQL statements → our AST, through node-sql-parser (PostgreSQL dialect, so
 * values are single-quoted and names double-quoted). Everything we do not support is rejected
 * here with a position: joins, grouping, sub-queries, expressions other than field-vs-value.
 */
import sqlParser from 'node-sql-parser';
import { ConnectorError } from '../errors.ts';
import type { CompareOp, Expr, OrderKey, SelectItem, SqlQuery, Value } from './ast.ts';
import { caret, keywordOffset, rewrite, syntaxError, type Rewritten } from './lex.ts';

const parser = new sqlParser.Parser();
const DIALECT = { database: 'PostgresQL', parseOptions: { includeLocations: true } } as const;
const FILTER_PREFIX = 'SELECT * FROM t WHERE ';

interface Ctx {
  source: string;
  rw: Rewritten;
  /** Length of the wrapper before the user's text in what the library saw. */
  shift: number;
}

/** Library offset → user offset. */
function at(ctx: Ctx, offset: number | undefined): number {
  if (offset === undefined) return 0;
  const local = offset - ctx.shift;
  if (local < 0) return 0;
  return ctx.rw.origin[Math.min(local, ctx.rw.origin.length - 1)];
}

function unsupported(ctx: Ctx, node: any, message: string): ConnectorError {
  const pos = at(ctx, node?.loc?.start?.offset);
  return new ConnectorError('QUERY_UNSUPPORTED', `${message} at position ${pos + 1}`, {
    position: pos,
    hint: caret(ctx.source, pos),
  });
}

function refusedAt(ctx: Ctx, pos: number, message: string): ConnectorError {
  const at = Math.max(0, pos);
  return new ConnectorError('QUERY_UNSUPPORTED', `${message} at position ${at + 1}`, {
    position: at,
    hint: caret(ctx.source, at),
  });
}

/** UNION / INTERSECT / EXCEPT chain a second SELECT: refused, never dropped. */
function refuseSetOperation(ctx: Ctx, ast: any): void {
  if (!ast?._next && !ast?.set_op) return;
  const word = String(ast.set_op ?? 'union')
    .split(' ')[0]
    .toUpperCase();
  throw refusedAt(
    ctx,
    keywordOffset(ctx.rw, word),
    `${word} is not supported (one SELECT over one entity per query)`,
  );
}

function astify(ctx: Ctx, text: string): any {
  let ast: any;
  try {
    ast = parser.astify(text, DIALECT);
  } catch (error) {
    const loc = (error as { location?: { start?: { offset?: number } } }).location;
    const pos = at(ctx, loc?.start?.offset ?? text.length);
    const found = ctx.source.slice(pos).match(/^\S+/)?.[0];
    throw syntaxError(ctx.source, pos, found ? `syntax error near "${found}"` : 'unexpected end of input');
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1)
      throw syntaxError(ctx.source, ctx.source.indexOf(';'), 'only one statement is allowed');
    ast = ast[0];
  }
  refuseSetOperation(ctx, ast);
  return ast;
}

/** `email = 'a@b.c' AND created >= '2024-01-01'` → Expr (undefined for an empty filter). */
export function parseFilter(filter: string): Expr | undefined {
  if (!filter.trim()) return undefined;
  const rw = rewrite(filter);
  const ctx: Ctx = { source: filter, rw, shift: FILTER_PREFIX.length };
  const ast = astify(ctx, FILTER_PREFIX + rw.text);
  if (ast.type !== 'select' || ast.orderby || ast.groupby || ast.having || ast.limit?.value?.length) {
    const pos = Math.max(0, keywordOffset(rw, 'ORDER|GROUP|HAVING|LIMIT|OFFSET|WINDOW'));
    throw syntaxError(
      filter,
      pos,
      'a filter is a WHERE condition only; use a full query (SELECT … ORDER BY … LIMIT …) for the rest',
    );
  }
  return toExpr(ctx, ast.where);
}

/** A full `SELECT` over one entity. */
export function parseSql(sql: string): SqlQuery {
  const rw = rewrite(sql);
  const ctx: Ctx = { source: sql, rw, shift: 0 };
  const ast = astify(ctx, rw.text);
  if (ast.type !== 'select')
    throw unsupported(ctx, ast, `only SELECT is supported, not ${String(ast.type).toUpperCase()}`);
  if (ast.with) throw unsupported(ctx, ast, 'WITH is not supported');
  if (!ast.from?.length) throw syntaxError(sql, sql.length, 'missing FROM <Entity>');
  const joined = ast.from.find((f: any) => f.join || f.expr);
  if (ast.from.length > 1 || joined) {
    const pos = sql.search(/\bjoin\b|,/i);
    throw new ConnectorError('QUERY_UNSUPPORTED', 'joins are not supported (one entity per query)', {
      position: Math.max(0, pos),
      hint: caret(sql, Math.max(0, pos)),
    });
  }
  for (const [key, word] of [
    ['groupby', 'GROUP BY'],
    ['having', 'HAVING'],
    ['window', 'WINDOW'],
  ] as const) {
    if (ast[key]) throw refusedAt(ctx, keywordOffset(rw, word.split(' ')[0]), `${word} is not supported`);
  }
  if (ast.distinct?.type) throw unsupported(ctx, ast, 'DISTINCT is not supported');
  const from = ast.from[0];
  const entity: string = typeof from.table === 'string' ? from.table : String(from.table?.value ?? '');
  const alias: string | undefined = from.as ?? undefined;
  const entityPos = Math.max(0, sql.search(/\bfrom\b/i) + 5);
  const strip = (path: string) => {
    const [head, ...rest] = path.split('.');
    return rest.length && (head === alias || head === entity) ? rest.join('.') : path;
  };

  let count = false;
  let select: SelectItem[] | undefined;
  for (const column of ast.columns) {
    const expr = column.expr ?? column;
    if (expr.type === 'column_ref' && columnName(expr) === '*') continue;
    if (expr.type === 'aggr_func' && String(expr.name).toUpperCase() === 'COUNT') {
      if (expr.args?.expr?.type !== 'star' || ast.columns.length !== 1)
        throw unsupported(ctx, expr, 'only COUNT(*) alone is supported');
      count = true;
      continue;
    }
    if (expr.type !== 'column_ref') throw unsupported(ctx, expr, 'only field names can be selected');
    const field = strip(columnName(expr));
    const pos = findName(sql, field);
    (select ??= []).push({ field, as: column.as ? String(column.as.value ?? column.as) : field, pos });
  }

  const orderBy: OrderKey[] = (ast.orderby ?? []).map((o: any) => {
    if (o.expr?.type !== 'column_ref') throw unsupported(ctx, o.expr, 'ORDER BY takes field names');
    const field = strip(columnName(o.expr));
    return { field, direction: o.type === 'DESC' ? 'desc' : 'asc', pos: findName(sql, field) };
  });

  const limits: any[] = ast.limit?.value ?? [];
  const number = (node: any, what: string): number => {
    const n = Number(node?.value);
    if (node?.type !== 'number' || !Number.isInteger(n) || n < 0)
      throw unsupported(ctx, node, `${what} must be a non-negative integer`);
    return n;
  };
  let limit: number | undefined;
  let offset: number | undefined;
  if (limits.length === 1) limit = number(limits[0], 'LIMIT');
  else if (limits.length === 2) {
    // PostgreSQL: LIMIT a OFFSET b; MySQL's `LIMIT b, a` is rejected by the dialect already.
    limit = number(limits[0], 'LIMIT');
    offset = number(limits[1], 'OFFSET');
  }
  const where = ast.where ? mapPaths(toExpr(ctx, ast.where), strip) : undefined;
  return { entity, entityPos, select, count, where, orderBy, limit, offset };
}

function mapPaths(expr: Expr, fn: (p: string) => string): Expr {
  if (expr.kind === 'and' || expr.kind === 'or')
    return { ...expr, items: expr.items.map((e) => mapPaths(e, fn)) };
  if (expr.kind === 'not') return { ...expr, expr: mapPaths(expr.expr, fn) };
  return { ...expr, field: fn(expr.field) };
}

function findName(source: string, field: string): number {
  const last = field.split('.').pop() as string;
  return Math.max(0, source.indexOf(last));
}

function columnName(ref: any): string {
  const column = ref.column;
  const name = typeof column === 'string' ? column : String(column?.expr?.value ?? '');
  const table = typeof ref.table === 'string' ? ref.table : ref.table?.value;
  return table ? `${table}.${name}` : name;
}

const COMPARE: Record<string, CompareOp> = {
  '=': '=',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};
const FLIP: Record<CompareOp, CompareOp> = {
  '=': '=',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

function literal(ctx: Ctx, node: any): Value {
  if (node?.ast) throw subquery(ctx);
  switch (node?.type) {
    case 'single_quote_string':
    case 'string':
      return String(node.value).replace(/''/g, "'");
    case 'number':
      return Number(node.value);
    case 'bool':
      return Boolean(node.value);
    case 'null':
      return null;
    case 'unary_expr':
      if (node.operator === '-' && node.expr?.type === 'number') return -Number(node.expr.value);
      break;
    case 'column_ref':
      throw new ConnectorError(
        'FILTER_SYNTAX',
        `values are written in single quotes ('${columnName(node)}')`,
        {
          hint: caret(ctx.source, findName(ctx.source, columnName(node))),
          position: findName(ctx.source, columnName(node)),
        },
      );
  }
  throw unsupported(ctx, node, 'expected a value (a quoted string, a number, TRUE, FALSE or NULL)');
}

/** A nested SELECT (in IN, a comparison or EXISTS): at the first SELECT after the statement's own. */
function subquery(ctx: Ctx): ConnectorError {
  const own = ctx.shift === 0 ? keywordOffset(ctx.rw, 'SELECT') : -1;
  return refusedAt(ctx, keywordOffset(ctx.rw, 'SELECT', own), 'subqueries are not supported');
}

function toExpr(ctx: Ctx, node: any, parentPos = 0): Expr {
  const pos = node?.loc ? at(ctx, node.loc.start.offset) : parentPos;
  if (!node) throw syntaxError(ctx.source, pos, 'expected a condition');
  if (node.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT')
    return { kind: 'not', expr: toExpr(ctx, node.expr, pos) };
  // The library reads `NOT (…)` as a call of a function named not.
  if (node.type === 'function' && functionName(node) === 'not' && node.args?.value?.length === 1)
    return { kind: 'not', expr: toExpr(ctx, node.args.value[0], pos) };
  if (node.type === 'function' && functionName(node) === 'exists') throw subquery(ctx);
  if (node.type !== 'binary_expr') {
    if (node.type === 'column_ref')
      throw syntaxError(ctx.source, pos, `"${columnName(node)}" needs a comparison (e.g. = 'value')`);
    throw unsupported(ctx, node, 'expected a condition (field operator value)');
  }
  const op = String(node.operator).toUpperCase();
  if (op === 'AND' || op === 'OR') {
    const items = [toExpr(ctx, node.left, pos), toExpr(ctx, node.right, pos)].flatMap((e) =>
      e.kind === op.toLowerCase() && !(e as any).parenthesized ? (e as { items: Expr[] }).items : [e],
    );
    return { kind: op === 'AND' ? 'and' : 'or', items };
  }
  let left = node.left;
  let right = node.right;
  let compareOp = COMPARE[op];
  if (compareOp && left?.type !== 'column_ref' && right?.type === 'column_ref') {
    [left, right] = [right, left];
    compareOp = FLIP[compareOp];
  }
  if (left?.type !== 'column_ref') throw unsupported(ctx, node, 'a condition compares a field with a value');
  const field = columnName(left);
  if (compareOp) return { kind: 'compare', field, op: compareOp, value: literal(ctx, right), pos };
  switch (op) {
    case 'IN':
    case 'NOT IN': {
      if (right?.type !== 'expr_list') throw unsupported(ctx, node, 'IN takes a list of values');
      return {
        kind: 'in',
        field,
        values: right.value.map((v: any) => literal(ctx, v)),
        negated: op === 'NOT IN',
        pos,
      };
    }
    case 'LIKE':
    case 'NOT LIKE':
    case 'ILIKE':
    case 'NOT ILIKE': {
      const pattern = literal(ctx, right);
      if (typeof pattern !== 'string') throw unsupported(ctx, node, 'LIKE takes a quoted pattern');
      return {
        kind: 'like',
        field,
        pattern,
        negated: op.startsWith('NOT'),
        caseInsensitive: op.endsWith('ILIKE'),
        pos,
      };
    }
    case 'IS':
    case 'IS NOT':
      if (right?.type !== 'null') throw unsupported(ctx, node, `${op} supports NULL only`);
      return { kind: 'null', field, negated: op === 'IS NOT', pos };
    case 'BETWEEN':
    case 'NOT BETWEEN': {
      const [low, high] = (right?.value ?? []).map((v: any) => literal(ctx, v));
      const range: Expr = {
        kind: 'and',
        items: [
          { kind: 'compare', field, op: '>=', value: low, pos },
          { kind: 'compare', field, op: '<=', value: high, pos },
        ],
      };
      return op === 'BETWEEN' ? range : { kind: 'not', expr: range };
    }
  }
  throw unsupported(ctx, node, `operator ${op} is not supported`);
}

function functionName(node: any): string {
  const name = node.name?.name?.[0]?.value ?? node.name;
  return String(name).toLowerCase();
}
