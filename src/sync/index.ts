/**
 * Mirror a Stripe account into SQL tables (SQLite or PostgreSQL): a sliced, resumable backfill at
 * the connection's rate budget, then incremental from the Events API, deletes as tombstones.
 *
 *   const summary = await runSync(ctx, { to: 'sqlite:./stripe.db', entities: ['Customer'], once: true });
 *   const status = await syncStatus('sqlite:./stripe.db');
 */
export { runSync, type SyncOptions, type SyncEvent, type SyncSummary } from './run.ts';
export { syncStatus, readStatus, type SyncStatus, type EntityStatus } from './status.ts';
export { openTarget, type Target } from './target.ts';
export { tableSpec, tableName, type TableSpec, type Column } from './columns.ts';
export type { BackfillProgress } from './backfill.ts';
export { progressText, statusTable, failureLines } from './format.ts';
export type { SyncFailure, EntityError } from './health.ts';
