/**
 * Where shared rate budgets live: the nodes' PostgreSQL store (the same URL as `serve --store` or
 * STRIPE_CONNECTOR_STORE; its `?schema=` too). A small pool of its own, so a budget's round trips
 * never queue behind the store's long transactions. One per process, shared by all its connections.
 */
import pg from 'pg';
import { ConnectorError } from '../errors.ts';
import { poolConfig, redactUrl } from '../store/postgres.ts';

export const STORE_ENV = 'STRIPE_CONNECTOR_STORE';
export const BUDGET_TABLE = 'rate_budgets';

export interface BudgetStore {
  readonly pool: pg.Pool;
  readonly table: string;
  /** The URL without its password, for messages. */
  readonly location: string;
  /** Resolves once the budget table exists (created on first use). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function openBudgetStore(url: string, options: { poolSize?: number } = {}): BudgetStore {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `throttle.shared needs a PostgreSQL store (postgres://…), not ${url.split(':')[0]}:`,
      { field: 'throttle.shared' },
    );
  }
  const { config, schema } = poolConfig(url);
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 });
  // An idle client's error (the server restarted) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const location = redactUrl(url);
  let created: Promise<void> | undefined;
  return {
    pool,
    table: BUDGET_TABLE,
    location,
    ready: () =>
      (created ??= createTable(pool, schema, location).catch((e) => {
        created = undefined;
        throw e;
      })),
    close: () => pool.end(),
  };
}

/** The store URL the process was given (`--store` beats the environment); undefined if none. */
export function storeUrlFrom(
  flag: string | undefined,
  env: Record<string, string | undefined> = process.env,
) {
  return flag || env[STORE_ENV] || undefined;
}

/**
 * rate-limiter-flexible's own table, except `expire` is double precision: our windows are
 * fractions of a second, and its bigint would refuse a fractional expiry.
 */
async function createTable(pool: pg.Pool, schema: string | undefined, location: string): Promise<void> {
  try {
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${BUDGET_TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire double precision)`,
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Concurrent creation by another node: the table is there.
    if (code === '23505' || code === '42P07' || code === '42P06') return;
    throw new ConnectorError(
      'STORE_UNAVAILABLE',
      `cannot prepare the shared rate budget at ${location}: ${(error as Error).message}`,
      { url: location },
    );
  }
}
