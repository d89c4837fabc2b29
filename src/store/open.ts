/**
 * Opens the store a command or server was pointed at: a `postgres://` URL, a `sqlite:` path, or
 * (the default) `store.db` in the data directory.
 */
import { dirname, join, resolve } from 'node:path';
import { ensureDataDir, resolveDataDir, SQLITE_FILE, type DataDirOptions } from './data-dir.ts';
import { openPostgresStore } from './postgres.ts';
import { storeSealer } from './sealer.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './types.ts';

export interface OpenStoreOptions extends DataDirOptions {
  /** Where STRIPE_CONNECTOR_SEAL_KEY is read (default process.env). */
  env?: Record<string, string | undefined>;
  /** `postgres://…`, `postgresql://…`, `sqlite:PATH`; overrides the data directory. */
  url?: string;
  now?: () => number;
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const env = opts.env ?? process.env;
  const withSealer = (store: Store, dir?: string) => Object.assign(store, { sealer: storeSealer(env, dir) });
  const url = opts.url;
  if (url && /^postgres(ql)?:\/\//i.test(url))
    return withSealer(await openPostgresStore({ url, now: opts.now }));
  if (url && url.startsWith('sqlite:')) {
    const file = resolve(opts.cwd ?? process.cwd(), url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
    ensureDataDir(dirname(file));
    return withSealer(await openSqliteStore({ file, now: opts.now }), dirname(file));
  }
  const dir = ensureDataDir(resolveDataDir(opts));
  return withSealer(await openSqliteStore({ file: join(dir, SQLITE_FILE), now: opts.now }), dir);
}
