/** Plain-text views of a sync for people (the CLI's table and progress line; the console may reuse them). */
import type { SyncEvent } from './run.ts';
import type { SyncFailure } from './health.ts';
import type { SyncStatus } from './status.ts';

/** One progress line for a backfill event; undefined for events not worth a line. */
export function progressText(e: SyncEvent): string | undefined {
  if (e.kind === 'failed') return failureLines([e])[0];
  if (e.kind !== 'backfill') return undefined;
  const where = e.account ? `${e.account} ` : '';
  const rows = e.rows.toLocaleString('en-US');
  const end = e.done ? ' · done' : e.failure ? ' · failed' : '';
  return `${where}${e.entity}: ${rows} rows · ${e.slicesDone}/${e.slices} slices${end}`;
}

export function statusTable(
  status: SyncStatus,
  now = Date.now(),
): { head: string[]; rows: Array<Array<string | number>> } {
  const ago = (ms?: number) =>
    ms === undefined ? '' : `${Math.max(0, Math.round((now - ms) / 1000))} s ago`;
  return {
    head: ['account', 'entity', 'health', 'rows', 'tombstones', 'backfill', 'last event', 'lag', 'polled'],
    rows: status.entities.map((e) => [
      e.account,
      e.entity,
      e.error ? `failing (${e.error.stage}, ${ago(e.error.at)}): ${e.error.message}` : e.health,
      e.rows,
      e.tombstones,
      e.backfill.done
        ? 'done'
        : `${e.backfill.rows} rows, ${e.backfill.slicesDone}/${e.backfill.slices} slices`,
      e.lastEvent ? `${e.lastEvent.type} ${e.lastEvent.id}` : '',
      e.lagSeconds === undefined ? '' : `${e.lagSeconds} s`,
      ago(e.polledAt),
    ]),
  };
}

/** One line per entity still failing at the end of a run: who, which stage, the error. */
export function failureLines(failed: SyncFailure[]): string[] {
  return failed.map(
    (f) => `failed: ${f.account || 'platform'} ${f.entity} (${f.stage}): ${f.code}: ${f.message}`,
  );
}
