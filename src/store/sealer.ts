/**
 * Secrets the store must keep (a webhook endpoint's `whsec_`, which Stripe shows only once) are
 * sealed with AES-256-GCM under a key that is not in the store: `STRIPE_CONNECTOR_SEAL_KEY` (32
 * bytes, base64) when set — every node of a PostgreSQL cluster needs the same one — else, for the
 * embedded store, `seal.key` beside `store.db` (made 0600 on first use). A copy of the database
 * alone then gives nothing away. Values stored before sealing existed are read as they are.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectorError } from '../errors.ts';

export const SEAL_KEY_ENV = 'STRIPE_CONNECTOR_SEAL_KEY';
const PREFIX = 'sealed:v1:';
const KEY_FILE = 'seal.key';

export interface Sealer {
  seal(text: string): string;
  /** The text of a sealed value (a value stored unsealed is answered as it is). */
  open(stored: string): string;
}

function keyFrom(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32)
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `${where} must be 32 bytes in base64 (openssl rand -base64 32)`,
      {
        field: where,
      },
    );
  return key;
}

/** The sealer of a store: the env key, else the key file in `dir` (the embedded store's folder). */
export function storeSealer(env: Record<string, string | undefined>, dir?: string): Sealer | undefined {
  if (env[SEAL_KEY_ENV]) return sealer(keyFrom(env[SEAL_KEY_ENV], SEAL_KEY_ENV));
  if (!dir) return undefined;
  const file = join(dir, KEY_FILE);
  if (!existsSync(file)) {
    // wx: two processes opening one folder at once keep the first key.
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    chmodSync(file, 0o600);
  }
  return sealer(keyFrom(readFileSync(file, 'utf8'), file));
}

export function sealer(key: Buffer): Sealer {
  return {
    seal(text) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new ConnectorError(
          'STORE_UNAVAILABLE',
          `a sealed secret in the store does not open with this key (${SEAL_KEY_ENV} or seal.key changed?)`,
        );
      }
    },
  };
}
