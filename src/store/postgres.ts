/**
 * The scale-out backend: PostgreSQL through `pg`. 64-bit integers (our millisecond times, ids,
 * counts) are read as JS numbers (exact below 2^53). An optional schema isolates one store per
 * schema (search_path), which is also how each test run gets a fresh one.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ConnectorError } from '../errors.ts';
import { migrate } from './migrations.ts';
import type { StoreDatabase } from './schema.ts';
import { createStore } from './store.ts';
import type { Store } from './types.ts';

export interface PostgresOptions {
  url: string;
  /** Schema to keep the tables in (created if missing); also read from the URL's `?schema=`. */
  schema?: string;
  poolSize?: number;
  now?: () => number;
}

const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/**
 * A store URL as `pg` options: the connection string without `?schema=`, and the schema (checked)
 * as the search_path. Shared with the gateway's budget store (gateway/budget-store.ts).
 */
export function poolConfig(
  rawUrl: string,
  schemaOverride?: string,
): { config: pg.PoolConfig; schema?: string } {
  const url = new URL(rawUrl);
  const schema = schemaOverride ?? url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `store schema: "${schema}" is not a plain lower-case SQL name`,
      {
        field: 'schema',
      },
    );
  }
  return {
    config: { connectionString: url.toString(), ...(schema ? { options: `-c search_path=${schema}` } : {}) },
    ...(schema !== undefined ? { schema } : {}),
  };
}

export async function openPostgresStore(opts: PostgresOptions): Promise<Store> {
  const { config, schema } = poolConfig(opts.url, opts.schema);
  const pool = new pg.Pool({ ...config, max: opts.poolSize ?? 10, types });
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  const location = redactUrl(opts.url);
  try {
    await migrate(db, 'postgres', schema);
  } catch (err) {
    await db.destroy();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '28P01' || e.code === '3D000') {
      throw new ConnectorError('STORE_UNAVAILABLE', `cannot reach the store at ${location}: ${e.message}`, {
        url: location,
      });
    }
    throw err;
  }
  return createStore({ db, dialect: 'postgres', location, schema, now: opts.now });
}
