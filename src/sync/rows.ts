/**
 * Stripe objects → table rows, and the versioned upsert. Every row carries the version that wrote
 * it: `(_version_created, _version_id)` = the event's `created` and id, or (listing time, '') for a
 * row read from a list. A write only lands when its version is not older than the row's, so a late
 * page or a replayed batch never regresses a row.
 */
import { sql, type Kysely } from 'kysely';
import { META_COLUMNS, type Column, type TableSpec } from './columns.ts';
import type { Dialect } from './target.ts';

export type Obj = Record<string, any>;
export type Row = Record<string, unknown>;

export interface Version {
  created: number;
  /** The event id; '' for a listing snapshot. */
  id: string;
}

function cell(col: Column, v: unknown, dialect: Dialect): unknown {
  if (v === undefined || v === null) return null;
  if (col.reference && typeof v === 'object') return (v as Obj).id ?? JSON.stringify(v);
  switch (col.kind) {
    case 'json':
      return JSON.stringify(v);
    case 'text':
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'integer':
    case 'real': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n)) return null;
      return col.kind === 'integer' ? Math.trunc(n) : n;
    }
    case 'boolean':
      if (typeof v !== 'boolean') return null;
      return dialect === 'sqlite' ? Number(v) : v;
  }
}

export function toRow(
  spec: TableSpec,
  object: Obj,
  meta: { account: string; version: Version; deletedAt?: number | null; dialect: Dialect },
): Row {
  const row: Row = { id: object.id };
  for (const col of spec.columns) row[col.name] = cell(col, object[col.name], meta.dialect);
  row[META_COLUMNS.account] = meta.account;
  row[META_COLUMNS.versionCreated] = meta.version.created;
  row[META_COLUMNS.versionId] = meta.version.id;
  row[META_COLUMNS.syncedAt] = Date.now();
  row[META_COLUMNS.deletedAt] = meta.deletedAt ?? null;
  return row;
}

/** Upserts rows; a conflicting row is replaced only by a version at least as new as its own. */
export async function upsertRows(db: Kysely<any>, spec: TableSpec, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  // One statement per row set; duplicates within a batch would make PostgreSQL refuse it.
  const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
  const columns = Object.keys(unique[0]).filter((c) => c !== 'id');
  const version = META_COLUMNS.versionCreated;
  await db
    .insertInto(spec.table)
    .values(unique)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])))
        .where(sql<boolean>`${sql.ref(`${spec.table}.${version}`)} <= ${sql.ref(`excluded.${version}`)}`),
    )
    .execute();
}

/** The current version of rows by id (for deciding about events). */
export async function versionsOf(
  db: Kysely<any>,
  spec: TableSpec,
  ids: string[],
): Promise<Map<string, Version & { deleted: boolean }>> {
  if (!ids.length) return new Map();
  const found = await db
    .selectFrom(spec.table)
    .select(['id', META_COLUMNS.versionCreated, META_COLUMNS.versionId, META_COLUMNS.deletedAt])
    .where('id', 'in', ids)
    .execute();
  return new Map(
    found.map((r: any) => [
      r.id as string,
      {
        created: Number(r[META_COLUMNS.versionCreated]),
        id: String(r[META_COLUMNS.versionId]),
        deleted: r[META_COLUMNS.deletedAt] != null,
      },
    ]),
  );
}
