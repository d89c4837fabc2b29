/**
 * A sync's life, per account: remember when it started, backfill everything created up to then,
 * then follow the Events API from that moment (and refresh entities without events by `created`)
 * until stopped. `once` backfills or catches up from the checkpoints and returns. All accounts
 * share the one gateway, hence the connection's one rate budget.
 *
 * An entity that fails (its backfill, its refresh, the events poll it depends on) is marked failing
 * with its error (health.ts) while the others go on; until stopped, a failed backfill is tried
 * again every refresh interval and events on the next poll. The summary lists what still fails.
 */
import type { ConnectorContext } from '../context.ts';
import { sleepUnless } from '../lifecycle.ts';
import type { RetentionNotice } from '../triggers/sources/retention.ts';
import { resolveAccounts } from './accounts.ts';
import { backfill, type BackfillProgress } from './backfill.ts';
import { Health, type Stage, type SyncFailure } from './health.ts';
import { resolveEntities, type SyncEntity } from './entities.ts';
import { pollOnce, type PollSummary } from './incremental.ts';
import { migrateTarget, type MigrationReport } from './migrate.ts';
import { refreshEntity } from './refresh.ts';
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
  /** How often entities without events are re-listed, and a failed backfill tried again (default 60 s). */
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
  | { kind: 'notice'; account: string; notice: RetentionNotice }
  | ({ kind: 'failed' } & SyncFailure);

export interface SyncSummary {
  accounts: string[];
  backfill: BackfillProgress[];
  polls: number;
  applied: number;
  /** The entities failing when the run ended, each with its last error. */
  failed: SyncFailure[];
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
    const summary: SyncSummary = { accounts, backfill: [], polls: 0, applied: 0, failed: [] };
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
  const stored = (await getState<{ startedAt: number }>(target.db, startKey))?.state?.startedAt;
  const startedAt = stored ?? Math.floor(Date.now() / 1000);
  if (stored === undefined) await setState(target.db, startKey, { state: { startedAt } });
  const gateway = forAccount(ctx.gateway, account);
  const health = new Health(target.db, sync, account);
  await health.load();
  // One `failed` event when an entity starts failing, not one per attempt while it still does.
  const failed = (failure: SyncFailure, already: boolean) => {
    if (!already) options.onEvent?.({ kind: 'failed', ...failure });
  };
  const fail = async (entity: string, stage: Stage, error: unknown) => {
    const already = health.isFailing(entity, stage);
    failed(await health.fail(entity, stage, error), already);
  };
  const runBackfill = async (jobs: SyncEntity[]) => {
    const already = new Set(jobs.filter((j) => health.isFailing(j.spec.entity, 'backfill')));
    const progress = await backfill({
      target,
      gateway,
      sync,
      account,
      entities: jobs,
      health,
      startedAt,
      concurrency,
      signal: options.signal,
      onProgress: (p) => options.onEvent?.({ kind: 'backfill', ...p }),
    });
    const again = new Set(progress.map((p) => p.entity));
    summary.backfill = [
      ...summary.backfill.filter((p) => p.account !== account || !again.has(p.entity)),
      ...progress,
    ];
    for (const job of jobs) {
      const failure = progress.find((p) => p.entity === job.spec.entity)?.failure;
      if (failure) failed(failure, already.has(job));
    }
    return progress.filter((p) => p.failure).map((p) => p.entity);
  };
  try {
    let unfinished = await runBackfill(entities);
    const evented = new Map(entities.filter((e) => e.hasEvents).map((e) => [e.spec.resource, e]));
    const refreshed = entities.filter((e) => !e.hasEvents);
    const refreshEvery = options.refreshIntervalMs ?? 60_000;
    let lastRefresh = 0;
    let lastBackfill = Date.now();
    for (;;) {
      if (options.signal?.aborted) break;
      if (evented.size) {
        try {
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
          for (const e of evented.values()) await health.ok(e.spec.entity, 'events');
        } catch (error) {
          if (options.signal?.aborted) break;
          // The poll feeds every entity with events: each of them is behind now.
          for (const e of evented.values()) await fail(e.spec.entity, 'events', error);
        }
      }
      if (refreshed.length && Date.now() - lastRefresh >= refreshEvery) {
        lastRefresh = Date.now();
        for (const entity of refreshed) {
          try {
            const rows = await refreshEntity({ target, gateway, sync, account, entity, startedAt });
            options.onEvent?.({ kind: 'refresh', account, entity: entity.spec.entity, rows });
            await health.ok(entity.spec.entity, 'refresh');
          } catch (error) {
            if (options.signal?.aborted) break;
            await fail(entity.spec.entity, 'refresh', error);
          }
        }
      }
      if (options.once) break;
      if (unfinished.length && Date.now() - lastBackfill >= refreshEvery) {
        lastBackfill = Date.now();
        unfinished = await runBackfill(entities.filter((e) => unfinished.includes(e.spec.entity)));
      }
      await sleepUnless(options.pollIntervalMs ?? 2000, options.signal);
    }
  } finally {
    // An entity left failing by an earlier run but not part of this one is not this run's failure.
    const mine = new Set(entities.map((e) => e.spec.entity));
    summary.failed.push(...health.failures().filter((f) => mine.has(f.entity)));
  }
}
