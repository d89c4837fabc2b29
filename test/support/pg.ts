/**
 * The PostgreSQL the cluster tests use: .ci/setup-services.sh's (URL in .tmp/pg-url) or
 * STRIPE_CONNECTOR_TEST_PG. Each test takes a fresh schema, dropped at the end; without a
 * reachable server the tests skip, saying why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from '../../src/store/index.ts';

const URL_FILE = new URL('../../.tmp/pg-url', import.meta.url);
export const baseUrl =
  process.env.STRIPE_CONNECTOR_TEST_PG ??
  (existsSync(URL_FILE)
    ? readFileSync(URL_FILE, 'utf8').trim()
    : 'postgres://postgres@127.0.0.1:54329/connector_test');

export async function pgSkipReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL not reachable at ${redactUrl(baseUrl)} (${(err as Error).message}); run .ci/setup-services.sh`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const made: string[] = [];

/** A store URL on a schema of its own. */
export function freshSchemaUrl(tag: string): string {
  const schema = `${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  made.push(schema);
  return `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}schema=${schema}`;
}

export async function dropSchemas(): Promise<void> {
  if (!made.length) return;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    for (const s of made.splice(0)) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
}
