/** Where the embedded store lives: --data-dir, else STRIPE_CONNECTOR_DATA, else ./.stripe-connector/. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const DATA_DIR_ENV = 'STRIPE_CONNECTOR_DATA';
export const DEFAULT_DATA_DIR = '.stripe-connector';
export const SQLITE_FILE = 'store.db';

export interface DataDirOptions {
  /** The --data-dir flag, when given. */
  dataDir?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** The absolute data directory (not created). */
export function resolveDataDir(opts: DataDirOptions = {}): string {
  const env = opts.env ?? process.env;
  const chosen = opts.dataDir || env[DATA_DIR_ENV] || DEFAULT_DATA_DIR;
  return resolve(opts.cwd ?? process.cwd(), chosen);
}

/** Creates the directory, readable by its owner only: it holds tokens' hashes and events. */
export function ensureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
