/**
 * The database a mirror writes into: `sqlite:PATH` (better-sqlite3) or `postgres://…` (pg), both
 * through Kysely. The target is the user's own database, separate from the connector's store: the
 * mirror keeps its checkpoints in the target itself (see state.ts), so rows and the position that
 * produced them commit in one transaction.
 */
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ConnectorError } from '../errors.ts';
import { redactUrl } from '../store/index.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Target {
  db: Kysely<any>;
  dialect: Dialect;
  /** The URL without its password, for messages and status. */
  location: string;
  close(): Promise<void>;
}

const INT8_OID = 20;
const JSONB_OID = 3802;
const pgTypes = {
  // bigint columns (created, versions) as numbers; jsonb kept as text, as SQLite gives it.
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : oid === JSONB_OID
        ? (v: string) => v
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Opens `sqlite:PATH` or `postgres://…[?schema=name]`; fails with INVALID_ARGUMENT naming `--to`. */
export async function openTarget(url: string, cwd = process.cwd()): Promise<Target> {
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgres(url);
  if (url.startsWith('sqlite:')) {
    const file = resolve(cwd, url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
    mkdirSync(dirname(file), { recursive: true });
    let database: Database.Database;
    try {
      database = new Database(file);
      database.pragma('busy_timeout = 10000');
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
    } catch (err) {
      throw new ConnectorError('STORE_UNAVAILABLE', `--to: cannot open ${file}: ${(err as Error).message}`, {
        field: '--to',
      });
    }
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
    return { db, dialect: 'sqlite', location: `sqlite:${file}`, close: () => db.destroy() };
  }
  throw new ConnectorError(
    'INVALID_ARGUMENT',
    `--to must be sqlite:PATH or postgres://…, got "${url.split(':')[0]}:…"`,
    { field: '--to' },
  );
}

async function openPostgres(raw: string): Promise<Target> {
  const url = new URL(raw);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const location = redactUrl(raw);
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConnectorError('INVALID_VALUE', `--to: schema "${schema}" is not a plain lower-case SQL name`, {
      field: '--to',
    });
  }
  if (schema) {
    const admin = new pg.Client({ connectionString: url.toString() });
    try {
      await admin.connect();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (err) {
      throw new ConnectorError(
        'STORE_UNAVAILABLE',
        `--to: cannot reach ${location}: ${(err as Error).message}`,
        {
          field: '--to',
        },
      );
    } finally {
      await admin.end().catch(() => {});
    }
  }
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: 10,
    types: pgTypes,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location, close: () => db.destroy() };
}
