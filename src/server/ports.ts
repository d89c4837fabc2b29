/**
 * What the server needs to keep, as narrow ports. The store (src/store) implements them for SQLite
 * and PostgreSQL; src/server/memory.ts implements them in memory so the server runs and is tested
 * without it. Every method is async because the real ones are.
 */
import type { ConnectionFileInput } from '../connection/index.ts';
import type { TokenRepo } from '../store/types.ts';

/**
 * Tokens: the store's own port (src/store/types.ts), so the store's repository is used as is. The
 * repository makes the token (`sct_` + 32 random bytes), keeps only its SHA-256, and returns the
 * text once; `verify` finds a live (unrevoked) token by its text and touches its lastUsedAt.
 */
export type { TokenRecord, TokenRepo, TokenScope as Scope } from '../store/types.ts';
export const SCOPES = ['read', 'write', 'admin'] as const;

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
  /** Epoch milliseconds, as the store keeps time. */
  createdAt: number;
  updatedAt: number;
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
