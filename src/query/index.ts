/** Filters and SQL over Stripe entities: parse → plan (pushdown) → streaming execution; explain. */
export { planQuery, type Plan, type QueryInput } from './plan.ts';
export { SEARCH_RULE, SEARCH_CAVEAT } from './search-rule.ts';
export { runQuery, collect, type RunOptions, type QueryProgress, type Row } from './execute.ts';
export { explain, type Explanation } from './explain.ts';
