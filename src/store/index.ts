/** The store: one interface for everything long-lived (see types.ts and STORE.md beside it). */
export * from './types.ts';
export { openStore, type OpenStoreOptions } from './open.ts';
export { openSqliteStore } from './sqlite.ts';
export { openPostgresStore, redactUrl } from './postgres.ts';
export { resolveDataDir, ensureDataDir, DATA_DIR_ENV, DEFAULT_DATA_DIR } from './data-dir.ts';
export { LAST_USED_GRANULARITY_MS, hashToken } from './repos/tokens.ts';
export { backoffDelay } from './repos/jobs.ts';
export { DELIVERY_QUEUE } from './repos/deliveries.ts';
export { BILLING_QUEUE } from './repos/billing.ts';
