/** One transaction on one connection of `db`: begin, fn, commit; rollback on any error. */
import { sql } from 'kysely';
import type { Db } from './context.ts';
import type { Dialect } from './types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withTransaction<T, D extends Db | import('kysely').Kysely<any>>(
  db: D,
  dialect: Dialect,
  fn: (conn: D) => Promise<T>,
): Promise<T> {
  // SQLite: take the write lock up front, so two processes never deadlock upgrading a read lock.
  const begin = dialect === 'sqlite' ? 'begin immediate' : 'begin';
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await fn(conn as D);
      await sql.raw('commit').execute(conn);
      return result;
    } catch (err) {
      await sql.raw('rollback').execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
