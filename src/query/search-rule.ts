/**
 * How the planner chooses Stripe search, as the CLI help and the README state it. Its own module,
 * free of imports, so the CLI can print it without loading the query engine.
 */
export const SEARCH_RULE =
  'Without --search/--no-search, Stripe search is used only where it replaces a full scan; --search prefers it where it applies; --no-search never uses it.';

/** Search results trail writes: said wherever a plan uses search. */
export const SEARCH_CAVEAT = 'Stripe search may lag writes by up to a minute';
