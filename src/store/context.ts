/** What every repository gets: the executor (the pool, or the open transaction), the dialect and the clock. */
import type { Kysely } from 'kysely';
import type { StoreDatabase } from './schema.ts';
import type { Dialect } from './types.ts';

export type Db = Kysely<StoreDatabase>;

export interface RepoContext {
  db: Db;
  dialect: Dialect;
  now(): number;
  /** Runs fn in a transaction, or inside the one already open. */
  atomic<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * SQLite, inside a transaction only: one statement straight on its connection (prepared once
   * per SQL text), for the statements every event runs. The query builder costs ~20 µs a
   * statement, as much as SQLite's own work for an insert. Never outside a transaction: there the
   * connection may be in the middle of somebody else's, which the statement would join.
   */
  direct?: Direct;
}

export interface Direct {
  get<T>(sql: string, ...params: unknown[]): T | undefined;
  run(sql: string, ...params: unknown[]): { changes: number };
}

export const toJson = (v: unknown): string => JSON.stringify(v ?? null);
export const fromJson = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));
