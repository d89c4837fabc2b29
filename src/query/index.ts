/** Filters and SQL over Stripe entities: parse → plan (pushdown) → streaming execution; explain. */
export { planQuery, PAGE_MAX, type Plan, type QueryInput, type Scan, type ApiCall } from './plan.ts';
export { SEARCH_RULE, SEARCH_CAVEAT } from './scans.ts';
export { runQuery, collect, type RunOptions, type QueryProgress, type Row } from './execute.ts';
export { explain, explainPlan, type Explanation } from './explain.ts';
export { parseFilter, parseSql } from './parse.ts';
export { compile, matches, valueAt } from './evaluate.ts';
export { toText, type Expr, type SqlQuery } from './ast.ts';
export { SEARCH_FIELDS } from './searchable.ts';
