/**
 * What the server needs to keep, as narrow ports. The store (src/store) implements them for SQLite
 * and PostgreSQL; src/server/memory.ts implements them in memory so the server runs and is tested
 * without it. Every method is async because the real ones are.
 */
import type { ConnectionFileInput } from '../connection/index.ts';

export type Scope = 'read' | 'write' | 'admin';
export const SCOPES: Scope[] = ['read', 'write', 'admin'];

export interface TokenRecord {
  /** Public, stable id (`tok_…`): what lists, logs, rate limits and revocation use. */
  id: string;
  /** SHA-256 of the whole token text, hex. The token itself is never stored. */
  hash: string;
  scopes: Scope[];
  /** Named connections the token may use; null: all of them. */
  connections: string[] | null;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewToken {
  hash: string;
  scopes: Scope[];
  connections: string[] | null;
  label: string;
}

export interface TokenRepo {
  /** Stores a new token (its hash) and returns the record with its generated id. */
  create(token: NewToken): Promise<TokenRecord>;
  /** The record with this hash, revoked or not (the caller decides); undefined if none. */
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  /** Every token, revoked ones included, oldest first. */
  list(): Promise<TokenRecord[]>;
  /** Marks the token revoked; false when no token has this id. Revoking twice keeps the first time. */
  revoke(id: string): Promise<boolean>;
  /** Records a use (best effort: callers do not wait for it to be durable). */
  touch(id: string, at: Date): Promise<void>;
}

/** Where a connection definition came from. */
export type ConnectionOrigin = 'config' | 'file' | 'api';

export interface ConnectionRecord {
  name: string;
  /**
   * The connection as its file would hold it: secrets as `env:`/`file:` references only (never a
   * value: the server refuses literals before it stores one).
   */
  definition: ConnectionFileInput;
  origin: ConnectionOrigin;
  /** Folder that relative `file:` references are read from (the config or file's folder). */
  baseDir: string;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionRepo {
  list(): Promise<ConnectionRecord[]>;
  get(name: string): Promise<ConnectionRecord | undefined>;
  /** Creates or replaces the record of `record.name`; tells which it did. */
  put(record: Omit<ConnectionRecord, 'createdAt' | 'updatedAt'>): Promise<{ created: boolean }>;
  /** false when there was none. */
  delete(name: string): Promise<boolean>;
}

export interface Readiness {
  ok: boolean;
  /** Why not, or what was checked (e.g. "store reachable, migrations applied"). */
  detail: string;
}

export interface ServerPorts {
  tokens: TokenRepo;
  connections: ConnectionRepo;
  /** Answers /readyz: the store says whether it is reachable and migrated. */
  ready(): Promise<Readiness>;
  /** Releases what the ports hold (database handles); called last on shutdown. */
  close?(): Promise<void>;
}
