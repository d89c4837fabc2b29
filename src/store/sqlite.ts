/**
 * The embedded backend: one SQLite file through better-sqlite3, in WAL mode (readers never block
 * the writer), with a busy timeout so other processes on the same file wait instead of failing.
 * synchronous=NORMAL in WAL keeps every committed transaction across a process crash (kill -9);
 * only an OS crash or power loss may lose the last ones.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { ConnectorError } from '../errors.ts';
import { migrate } from './migrations.ts';
import type { StoreDatabase } from './schema.ts';
import { createStore } from './store.ts';
import type { Store } from './types.ts';

export interface SqliteOptions {
  file: string;
  busyTimeoutMs?: number;
  now?: () => number;
}

export async function openSqliteStore(opts: SqliteOptions): Promise<Store> {
  let database: Database.Database;
  try {
    database = new Database(opts.file);
    database.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10_000}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
  } catch (err) {
    throw new ConnectorError(
      'STORE_UNAVAILABLE',
      `cannot open the store at ${opts.file}: ${(err as Error).message}`,
      {
        file: opts.file,
      },
    );
  }
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) });
  try {
    await migrate(db, 'sqlite');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return createStore({ db, dialect: 'sqlite', location: opts.file, now: opts.now });
}
