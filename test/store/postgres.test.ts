/**
 * The store contract on PostgreSQL, unchanged. The server is the one .ci/setup-services.sh starts
 * (its URL in .tmp/pg-url), or STRIPE_CONNECTOR_TEST_PG. Each test gets its own schema, dropped
 * afterwards, so runs never see each other's rows. Without a reachable server the suite is skipped,
 * saying why.
 */
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';
import { baseUrl, pgSkipReason } from '../support/pg.ts';

const skipReason = await pgSkipReason();
if (skipReason) console.warn(`postgres.test.ts skipped: ${skipReason}`);

const schemas: string[] = [];
const run = `t${process.pid}_${randomBytes(3).toString('hex')}`;
const withSchema = (schema: string) => `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}schema=${schema}`;

function rawDb(schema: string) {
  const pool = new pg.Pool({ connectionString: baseUrl, max: 2, options: `-c search_path=${schema}` });

  return new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
}

afterAll(async () => {
  if (skipReason || !schemas.length) return;
  const db = rawDb('public');
  for (const s of schemas) await sql`drop schema if exists ${sql.id(s)} cascade`.execute(db);
  await db.destroy();
});

describe.skipIf(skipReason !== undefined)(
  `PostgreSQL store${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    storeContract({
      freshUrl: async () => {
        const schema = `${run}_${schemas.length}`;
        schemas.push(schema);
        return withSchema(schema);
      },
      raw: async (url) => {
        const db = rawDb(new URL(url).searchParams.get('schema')!);
        return { db, close: () => db.destroy() };
      },
    });

    it('names an unreachable server without its password', async () => {
      const err = await openStore({ url: 'postgres://u:hunter2@127.0.0.1:1/x' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(String((err as Error).message)).not.toContain('hunter2');
    });
  },
);
