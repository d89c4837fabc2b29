/** Plain-text views of a sync for people (the CLI's table and progress line; the console may reuse them). */
import type { SyncEvent } from './run.ts';
import type { SyncStatus } from './status.ts';

/** One progress line for a backfill event; undefined for events not worth a line. */
export function progressText(e: SyncEvent): string | undefined {
  if (e.kind !== 'backfill') return undefined;
  const where = e.account ? `${e.account} ` : '';
  const rows = e.rows.toLocaleString('en-US');
  return `${where}${e.entity}: ${rows} rows · ${e.slicesDone}/${e.slices} slices${e.done ? ' · done' : ''}`;
}

export function statusTable(
  status: SyncStatus,
  now = Date.now(),
): { head: string[]; rows: Array<Array<string | number>> } {
  const ago = (ms?: number) =>
    ms === undefined ? '' : `${Math.max(0, Math.round((now - ms) / 1000))} s ago`;
  return {
    head: ['account', 'entity', 'rows', 'tombstones', 'backfill', 'last event', 'lag', 'polled'],
    rows: status.entities.map((e) => [
      e.account,
      e.entity,
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
