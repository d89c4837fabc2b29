/**
 * A sync's life, per account: remember when it started, backfill everything created up to then,
 * then follow the Events API from that moment (and refresh entities without events by `created`)
 * until stopped. `once` backfills or catches up from the checkpoints and returns. All accounts
 * share the one gateway, hence the connection's one rate budget.
 */
import type { ConnectorContext } from '../context.ts';
import { sleepUnless } from '../lifecycle.ts';
import type { RetentionNotice } from '../triggers/sources/retention.ts';
import { resolveAccounts } from './accounts.ts';
import { backfill, type BackfillProgress } from './backfill.ts';
import { resolveEntities, type SyncEntity } from './entities.ts';
import { pollOnce, type PollSummary } from './incremental.ts';
import { migrateTarget, type MigrationReport } from './migrate.ts';
import { refreshByCreated } from './refresh.ts';
import { forAccount } from './scoped.ts';
import { getState, setState } from './state.ts';
import { openTarget, type Target } from './target.ts';

export interface SyncOptions {
  /** `sqlite:PATH` or `postgres://…[?schema=…]`. */
  to: string;
  /** Entity names (Customer, PaymentIntent, …). */
  entities: string[];
  /** `platform` (default), `all`, `acct_…`. */
  accounts?: string[];
  /** Several syncs can share one target under different names (default `default`). */
  name?: string;
  once?: boolean;
  /** Concurrent backfill slices in all (default 16: enough in flight to fill 25 req/s at ~500 ms a page). */
  concurrency?: number;
  pollIntervalMs?: number;
  refreshIntervalMs?: number;
  /** Event overlap re-read (seconds, default 60). */
  overlapSeconds?: number;
  signal?: AbortSignal;
  onEvent?: (event: SyncEvent) => void;
}

export type SyncEvent =
  | { kind: 'migrated'; report: MigrationReport }
  | ({ kind: 'backfill' } & BackfillProgress)
  | ({ kind: 'poll'; account: string } & PollSummary)
  | { kind: 'refresh'; account: string; entity: string; rows: number }
  | { kind: 'notice'; account: string; notice: RetentionNotice };

export interface SyncSummary {
  accounts: string[];
  backfill: BackfillProgress[];
  polls: number;
  applied: number;
}

export async function runSync(ctx: ConnectorContext, options: SyncOptions): Promise<SyncSummary> {
  const entities = resolveEntities(ctx.catalog, options.entities);
  const target = await openTarget(options.to);
  try {
    const report = await migrateTarget(
      target,
      entities.map((e) => e.spec),
      ctx.catalog.apiVersion,
    );
    options.onEvent?.({ kind: 'migrated', report });
    const accounts = await resolveAccounts(ctx.gateway, options.accounts);
    const summary: SyncSummary = { accounts, backfill: [], polls: 0, applied: 0 };
    const share = Math.max(2, Math.ceil((options.concurrency ?? 16) / accounts.length));
    await Promise.all(
      accounts.map((a) =>
        runAccount(ctx, target, entities, a, share, options, summary).catch((error) => {
          // Stopping aborts requests in flight: that is the end of the run, not a failure.
          if (!options.signal?.aborted) throw error;
        }),
      ),
    );
    return summary;
  } finally {
    await target.close();
  }
}

async function runAccount(
  ctx: ConnectorContext,
  target: Target,
  entities: SyncEntity[],
  account: string,
  concurrency: number,
  options: SyncOptions,
  summary: SyncSummary,
): Promise<void> {
  const sync = options.name ?? 'default';
  const startKey = { sync, account, entity: '*', slice: 'start' };
  let startedAt = (await getState<{ startedAt: number }>(target.db, startKey))?.state?.startedAt;
  if (startedAt === undefined) {
    startedAt = Math.floor(Date.now() / 1000);
    await setState(target.db, startKey, { state: { startedAt } });
  }
  const gateway = forAccount(ctx.gateway, account);
  const progress = await backfill({
    target,
    gateway,
    sync,
    account,
    entities,
    startedAt,
    concurrency,
    signal: options.signal,
    onProgress: (p) => options.onEvent?.({ kind: 'backfill', ...p }),
  });
  summary.backfill.push(...progress);
  const evented = new Map(entities.filter((e) => e.hasEvents).map((e) => [e.spec.resource, e]));
  const refreshed = entities.filter((e) => !e.hasEvents);
  let lastRefresh = 0;
  for (;;) {
    if (options.signal?.aborted) return;
    if (evented.size) {
      const poll = await pollOnce({
        target,
        gateway,
        rootGateway: ctx.gateway,
        sync,
        account,
        entities: evented,
        startedAt,
        overlapSeconds: options.overlapSeconds,
        onNotice: (n) => options.onEvent?.({ kind: 'notice', account, notice: n }),
      });
      summary.polls++;
      summary.applied += poll.applied;
      options.onEvent?.({ kind: 'poll', account, ...poll });
    }
    if (refreshed.length && Date.now() - lastRefresh >= (options.refreshIntervalMs ?? 60_000)) {
      lastRefresh = Date.now();
      for (const entity of refreshed) {
        const rows = await refreshByCreated({ target, gateway, sync, account, entity, startedAt });
        options.onEvent?.({ kind: 'refresh', account, entity: entity.spec.entity, rows });
      }
    }
    if (options.once) return;
    await sleepUnless(options.pollIntervalMs ?? 2000, options.signal);
  }
}
