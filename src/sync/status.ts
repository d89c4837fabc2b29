/**
 * What a sync has done, read from the target alone (no Stripe call): per account and entity the
 * rows and tombstones, backfill progress, the last event applied and its lag, when the events were
 * last polled, and whether it is healthy or failing (with its last error).
 */
import { sql } from 'kysely';
import type { EventsCheckpoint } from '../triggers/sources/events.ts';
import { META_COLUMNS } from './columns.ts';
import { STATE_TABLE, TABLES_META } from './migrate.ts';
import { listState } from './state.ts';
import { openTarget, type Target } from './target.ts';
import { isSliceKey, type SliceState } from './backfill.ts';
import { errorsOf, type EntityError } from './health.ts';

export interface EntityStatus {
  account: string;
  entity: string;
  table: string;
  rows: number;
  tombstones: number;
  backfill: { done: boolean; rows: number; pages: number; slices: number; slicesDone: number };
  lastEvent?: { id: string; type: string; created: number; appliedAt: number };
  /** Seconds from the last applied event's creation to its row being written. */
  lagSeconds?: number;
  /** Epoch ms of the last complete events poll of the account. */
  polledAt?: number;
  /** Failing while its backfill, its refresh or the events poll it depends on fails. */
  health: 'healthy' | 'failing';
  /** The latest failure standing (`at`: epoch ms), when failing. */
  error?: EntityError;
}

export interface SyncStatus {
  target: string;
  apiVersion?: string;
  entities: EntityStatus[];
}

async function hasTable(target: Target, name: string): Promise<boolean> {
  const tables = await target.db.introspection.getTables();
  return tables.some((t) => t.name === name);
}

export async function readStatus(target: Target, name = 'default'): Promise<SyncStatus> {
  if (!(await hasTable(target, TABLES_META)) || !(await hasTable(target, STATE_TABLE))) {
    return { target: target.location, entities: [] };
  }
  const tables = (await target.db.selectFrom(TABLES_META).selectAll().orderBy('entity').execute()) as Array<{
    table_name: string;
    entity: string;
    api_version: string;
  }>;
  const state = await listState(target.db, { sync: name });
  const accounts = [...new Set(state.map((s) => s.account))];
  const out: EntityStatus[] = [];
  for (const account of accounts) {
    const polled = state.find((s) => s.account === account && s.entity === '*' && s.slice === 'events');
    const polledAt = (polled?.state as EventsCheckpoint | null)?.polledAt;
    for (const t of tables) {
      const mine = state.filter((s) => s.account === account && s.entity === t.entity);
      if (!mine.length) continue;
      const counts = await target.db
        .selectFrom(t.table_name)
        .select([
          sql<number>`count(*)`.as('all'),
          sql<number>`count(${sql.ref(META_COLUMNS.deletedAt)})`.as('tombstones'),
        ])
        .where(META_COLUMNS.account, '=', account)
        .executeTakeFirstOrThrow();
      const slices = mine.filter((s) => isSliceKey(s.slice));
      const [error] = errorsOf(mine);
      const events = mine.find((s) => s.slice === 'events')?.state as
        | { lastEventId: string; lastEventType: string; lastEventCreated: number; appliedAt: number }
        | undefined;
      out.push({
        account: account || 'platform',
        entity: t.entity,
        table: t.table_name,
        rows: Number(counts.all) - Number(counts.tombstones),
        tombstones: Number(counts.tombstones),
        backfill: {
          done: Boolean(mine.find((s) => s.slice === 'plan')?.done),
          rows: slices.reduce((n, s) => n + ((s.state as SliceState | null)?.rows ?? 0), 0),
          pages: slices.reduce((n, s) => n + ((s.state as SliceState | null)?.pages ?? 0), 0),
          slices: slices.length,
          slicesDone: slices.filter((s) => s.done).length,
        },
        ...(events
          ? {
              lastEvent: {
                id: events.lastEventId,
                type: events.lastEventType,
                created: events.lastEventCreated,
                appliedAt: events.appliedAt,
              },
              lagSeconds: Math.max(0, Math.round(events.appliedAt / 1000 - events.lastEventCreated)),
            }
          : {}),
        ...(polledAt !== undefined ? { polledAt: polledAt * 1000 } : {}),
        health: error ? 'failing' : 'healthy',
        ...(error ? { error } : {}),
      });
    }
  }
  return { target: target.location, apiVersion: tables[0]?.api_version, entities: out };
}

/** `sync status --to URL`. */
export async function syncStatus(to: string, name?: string): Promise<SyncStatus> {
  const target = await openTarget(to);
  try {
    return await readStatus(target, name);
  } finally {
    await target.close();
  }
}
