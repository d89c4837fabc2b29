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
}

export const toJson = (v: unknown): string => JSON.stringify(v ?? null);
export const fromJson = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));
