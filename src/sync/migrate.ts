/**
 * Creates and migrates the mirror's tables. A meta table records, per table, the catalog API
 * version and the columns it was built with; when the catalog changes (a new API version, new
 * fields) missing columns are added in place. Columns the new catalog no longer has are kept (the
 * old rows still hold their values) and reported, never dropped: dropping a user's data is theirs
 * to decide.
 */
import { sql, type Kysely } from 'kysely';
import { ConnectorError } from '../errors.ts';
import { META_COLUMNS, type Column, type TableSpec } from './columns.ts';
import type { Dialect, Target } from './target.ts';

export const TABLES_META = '_stripe_sync_tables';
export const STATE_TABLE = '_stripe_sync_state';

export interface MigrationReport {
  created: string[];
  /** table → columns added. */
  added: Record<string, string[]>;
  /** table → columns the catalog no longer has (kept). */
  stale: Record<string, string[]>;
}

function sqlType(kind: Column['kind'], dialect: Dialect): string {
  if (dialect === 'sqlite')
    return { text: 'text', integer: 'integer', real: 'real', boolean: 'integer', json: 'text' }[kind];
  return { text: 'text', integer: 'bigint', real: 'double precision', boolean: 'boolean', json: 'jsonb' }[
    kind
  ];
}

const indexName = (table: string, column: string) => `${table}_${column}_idx`.slice(0, 63);

async function createMetaTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(TABLES_META)
    .ifNotExists()
    .addColumn('table_name', 'text', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('columns', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable(STATE_TABLE)
    .ifNotExists()
    .addColumn('sync', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('slice', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${STATE_TABLE}_pk`, ['sync', 'account', 'entity', 'slice'])
    .execute();
}

async function createTable(db: Kysely<any>, spec: TableSpec, dialect: Dialect): Promise<void> {
  let create = db.schema
    .createTable(spec.table)
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey());
  for (const col of spec.columns) create = create.addColumn(col.name, sql.raw(sqlType(col.kind, dialect)));
  create = create
    .addColumn(META_COLUMNS.account, 'text', (c) => c.notNull().defaultTo(''))
    .addColumn(META_COLUMNS.versionCreated, 'bigint', (c) => c.notNull())
    .addColumn(META_COLUMNS.versionId, 'text', (c) => c.notNull())
    .addColumn(META_COLUMNS.syncedAt, 'bigint', (c) => c.notNull())
    .addColumn(META_COLUMNS.deletedAt, 'bigint');
  await create.execute();
  const indexed = [
    ...spec.columns.filter((c) => c.name === 'created' || c.reference).map((c) => c.name),
    META_COLUMNS.account,
  ];
  for (const column of indexed) {
    await db.schema
      .createIndex(indexName(spec.table, column))
      .ifNotExists()
      .on(spec.table)
      .column(column)
      .execute();
  }
}

/** Brings the target's tables to the specs; idempotent, one transaction. */
export async function migrateTarget(
  target: Target,
  specs: TableSpec[],
  apiVersion: string,
): Promise<MigrationReport> {
  const report: MigrationReport = { created: [], added: {}, stale: {} };
  try {
    await target.db.transaction().execute(async (db) => {
      await createMetaTables(db);
      const known = new Map(
        (await db.selectFrom(TABLES_META).selectAll().execute()).map((r: any) => [r.table_name as string, r]),
      );
      for (const spec of specs) {
        const meta = known.get(spec.table);
        const columns = JSON.stringify(spec.columns);
        if (!meta) {
          await createTable(db, spec, target.dialect);
          report.created.push(spec.table);
        } else if (meta.api_version === apiVersion && meta.columns === columns) continue;
        else await alterTable(db, spec, JSON.parse(meta.columns) as Column[], target.dialect, report);
        const row = { entity: spec.entity, api_version: apiVersion, columns, updated_at: Date.now() };
        await db
          .insertInto(TABLES_META)
          .values({ table_name: spec.table, ...row })
          .onConflict((oc) => oc.column('table_name').doUpdateSet(row))
          .execute();
      }
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (['ECONNREFUSED', 'ENOTFOUND', '28P01', '3D000'].includes(String(e.code))) {
      throw new ConnectorError('STORE_UNAVAILABLE', `--to: cannot reach ${target.location}: ${e.message}`, {
        field: '--to',
      });
    }
    throw err;
  }
  return report;
}

async function alterTable(
  db: Kysely<any>,
  spec: TableSpec,
  before: Column[],
  dialect: Dialect,
  report: MigrationReport,
): Promise<void> {
  const had = new Set(before.map((c) => c.name));
  const now = new Set(spec.columns.map((c) => c.name));
  const added = spec.columns.filter((c) => !had.has(c.name));
  for (const col of added) {
    await db.schema
      .alterTable(spec.table)
      .addColumn(col.name, sql.raw(sqlType(col.kind, dialect)))
      .execute();
    if (col.reference || col.name === 'created') {
      await db.schema
        .createIndex(indexName(spec.table, col.name))
        .ifNotExists()
        .on(spec.table)
        .column(col.name)
        .execute();
    }
  }
  if (added.length) report.added[spec.table] = added.map((c) => c.name);
  const stale = before.filter((c) => !now.has(c.name)).map((c) => c.name);
  if (stale.length) report.stale[spec.table] = stale;
}
