/** The store contract on the embedded SQLite backend, plus what only a file has (integrity, the data dir). */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, resolveDataDir } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';

const root = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('SQLite store', () => {
  storeContract({
    freshUrl: async () => `sqlite:${join(root, `s${n++}`, 'store.db')}`,
    raw: async (url) => {
      const database = new Database(url.slice('sqlite:'.length));
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
      return { db, close: () => db.destroy() };
    },
  });

  it('uses WAL and passes an integrity check after the crash rounds', async () => {
    const file = join(root, 's-integrity', 'store.db');
    const store = await openStore({ url: `sqlite:${file}` });
    await store.close();
    const database = new Database(file);
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
    database.close();
  });

  it('resolves the data directory from --data-dir, then STRIPE_CONNECTOR_DATA, then ./.stripe-connector, created 0700', async () => {
    expect(resolveDataDir({ dataDir: 'd', env: { STRIPE_CONNECTOR_DATA: '/e' }, cwd: '/w' })).toBe('/w/d');
    expect(resolveDataDir({ env: { STRIPE_CONNECTOR_DATA: '/e' }, cwd: '/w' })).toBe('/e');
    expect(resolveDataDir({ env: {}, cwd: '/w' })).toBe('/w/.stripe-connector');
    const store = await openStore({ env: {}, cwd: root });
    expect(store.location).toBe(join(root, '.stripe-connector', 'store.db'));
    await store.close();
    expect(statSync(join(root, '.stripe-connector')).mode & 0o777).toBe(0o700);
  });
});
