/**
 * In-memory ports: the server runs and is tested with them until the store maps the ports onto
 * SQLite/PostgreSQL. Nothing survives a restart, which is why they are named for what they are.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionRecord, ConnectionRepo, ServerPorts, TokenRecord, TokenRepo } from './ports.ts';

export class InMemoryTokenRepo implements TokenRepo {
  private readonly byId = new Map<string, TokenRecord>();

  async create(token: Parameters<TokenRepo['create']>[0]): Promise<TokenRecord> {
    const record: TokenRecord = {
      id: `tok_${randomBytes(8).toString('hex')}`,
      hash: token.hash,
      scopes: [...token.scopes],
      connections: token.connections ? [...token.connections] : null,
      label: token.label,
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    this.byId.set(record.id, record);
    return copy(record);
  }

  async findByHash(hash: string): Promise<TokenRecord | undefined> {
    for (const record of this.byId.values()) if (record.hash === hash) return copy(record);
    return undefined;
  }

  async list(): Promise<TokenRecord[]> {
    return [...this.byId.values()].map(copy);
  }

  async revoke(id: string): Promise<boolean> {
    const record = this.byId.get(id);
    if (!record) return false;
    record.revokedAt ??= new Date().toISOString();
    return true;
  }

  async touch(id: string, at: Date): Promise<void> {
    const record = this.byId.get(id);
    if (record) record.lastUsedAt = at.toISOString();
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
    const now = new Date().toISOString();
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
