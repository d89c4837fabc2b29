/** One transaction on one connection of `db`: begin, fn, commit; rollback on any error. */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './types.ts';

export function withTransaction<T, DB>(
  db: Kysely<DB>,
  dialect: Dialect,
  fn: (conn: Kysely<DB>) => Promise<T>,
): Promise<T> {
  // SQLite: take the write lock up front, so two processes never deadlock upgrading a read lock.
  const begin = dialect === 'sqlite' ? 'begin immediate' : 'begin';
  return db.connection().execute(async (conn) => {
    await sql.raw(begin).execute(conn);
    try {
      const result = await fn(conn);
      await sql.raw('commit').execute(conn);
      return result;
    } catch (err) {
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => undefined);
      throw err;
    }
  });
}
