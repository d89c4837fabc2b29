/**
 * In-memory ports: the server runs and is tested with them until the store maps the ports onto
 * SQLite/PostgreSQL. Nothing survives a restart, which is why they are named for what they are.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../store/repos/tokens.ts';
import type { ConnectionRecord, ConnectionRepo, ServerPorts, TokenRecord, TokenRepo } from './ports.ts';
import { TOKEN_PREFIX } from './tokens.ts';

export class InMemoryTokenRepo implements TokenRepo {
  private readonly byHash = new Map<string, TokenRecord>();

  async create(input: Parameters<TokenRepo['create']>[0]): Promise<{ token: string; record: TokenRecord }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record: TokenRecord = {
      id: `tok_${randomBytes(8).toString('hex')}`,
      name: input.name,
      scopes: [...input.scopes],
      connections: input.connections ? [...input.connections] : null,
      createdAt: Date.now(),
      revokedAt: null,
      lastUsedAt: null,
    };
    this.byHash.set(hashToken(token), record);
    return { token, record: copy(record) };
  }

  async verify(plain: string): Promise<TokenRecord | undefined> {
    const record = this.byHash.get(hashToken(plain));
    if (!record || record.revokedAt !== null) return undefined;
    record.lastUsedAt = Date.now();
    return copy(record);
  }

  async list(): Promise<TokenRecord[]> {
    return [...this.byHash.values()].sort((a, b) => a.createdAt - b.createdAt).map(copy);
  }

  async revoke(id: string): Promise<boolean> {
    const record = [...this.byHash.values()].find((r) => r.id === id);
    if (!record || record.revokedAt !== null) return false;
    record.revokedAt = Date.now();
    return true;
  }
}

export class InMemoryConnectionRepo implements ConnectionRepo {
  private readonly byName = new Map<string, ConnectionRecord>();

  async list(): Promise<ConnectionRecord[]> {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name)).map(copy);
  }

  async get(name: string): Promise<ConnectionRecord | undefined> {
    const record = this.byName.get(name);
    return record && copy(record);
  }

  async put(record: Omit<ConnectionRecord, 'createdAt' | 'updatedAt'>): Promise<{ created: boolean }> {
    // Strictly increasing, so a change within the same millisecond is still seen as a change.
    const now = Math.max(Date.now(), (this.byName.get(record.name)?.updatedAt ?? 0) + 1);
    const previous = this.byName.get(record.name);
    this.byName.set(record.name, copy({ ...record, createdAt: previous?.createdAt ?? now, updatedAt: now }));
    return { created: !previous };
  }

  async delete(name: string): Promise<boolean> {
    return this.byName.delete(name);
  }
}

/** Callers get copies, as from a database: changing a returned record changes nothing stored. */
function copy<T extends TokenRecord | ConnectionRecord>(record: T): T {
  return structuredClone(record);
}

/** Ports that keep everything in this process; always ready. */
export function createInMemoryPorts(): ServerPorts {
  return {
    tokens: new InMemoryTokenRepo(),
    connections: new InMemoryConnectionRepo(),
    ready: async () => ({ ok: true, detail: 'in-memory ports (nothing persisted)' }),
  };
}
