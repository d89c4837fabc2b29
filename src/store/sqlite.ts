/**
 * The embedded backend: one SQLite file through better-sqlite3, in WAL mode (readers never block
 * the writer), with a busy timeout so other processes on the same file wait instead of failing.
 * synchronous=NORMAL in WAL keeps every committed transaction across a process crash (kill -9);
 * only an OS crash or power loss may lose the last ones.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { ConnectorError } from '../errors.ts';
import type { Direct } from './context.ts';
import { migrate } from './migrations.ts';
import type { StoreDatabase } from './schema.ts';
import { createStore } from './store.ts';
import type { Store } from './types.ts';

export interface SqliteOptions {
  file: string;
  busyTimeoutMs?: number;
  now?: () => number;
}

/**
 * Kysely prepares every query anew; preparing costs more than running one of ours. The same SQL
 * text gets the same prepared statement again (the most recent few hundred texts are kept),
 * unless that one is still being iterated.
 */
function reusingStatements(database: Database.Database, keep = 256) {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(source: string): Database.Statement {
      const cached = statements.get(source);
      if (cached && !cached.busy) {
        statements.delete(source); // re-inserted below: the Map's order is the use order
        statements.set(source, cached);
        return cached;
      }
      const statement = database.prepare(source);
      if (!cached) statements.set(source, statement);
      if (statements.size > keep) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}

/**
 * Switching to WAL needs the database to itself for a moment, and SQLite answers SQLITE_BUSY at
 * once there instead of calling the busy handler: several processes opening one data directory
 * together (a runner, the server, a CLI command) would fail. Tried again until the busy timeout.
 */
async function useWal(database: Database.Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export async function openSqliteStore(opts: SqliteOptions): Promise<Store> {
  let database: Database.Database;
  try {
    database = new Database(opts.file);
    database.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10_000}`);
    await useWal(database, opts.busyTimeoutMs ?? 10_000);
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
  const statements = reusingStatements(database);
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: statements }) });
  const direct: Direct = {
    get: <T>(text: string, ...params: unknown[]) => statements.prepare(text).get(...params) as T | undefined,
    run: (text: string, ...params: unknown[]) => statements.prepare(text).run(...params),
  };
  try {
    await migrate(db, 'sqlite');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return createStore({ db, dialect: 'sqlite', location: opts.file, now: opts.now, direct });
}
