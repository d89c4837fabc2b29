/**
 * The server's ports on the store (SQLite or PostgreSQL, src/store): tokens are the store's token
 * repository as is; a connection is kept in the store's `connections` repository as
 * `{ connection, origin, baseDir }` (the store refuses a literal secret anywhere in it); readiness
 * is "reachable and no migration pending".
 */
import type { ConnectionFileInput } from '../connection/index.ts';
import type { NamedRecord, Store } from '../store/types.ts';
import type { ConnectionOrigin, ConnectionRecord, ConnectionRepo, ServerPorts } from './ports.ts';

interface StoredConnection {
  connection: ConnectionFileInput;
  origin: ConnectionOrigin;
  baseDir: string;
}

function toRecord(r: NamedRecord<StoredConnection>): ConnectionRecord {
  const { connection, origin, baseDir } = r.definition;
  return {
    name: r.name,
    definition: connection,
    origin,
    baseDir,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function connectionRepo(store: Store): ConnectionRepo {
  const named = store.connections;
  return {
    list: async () => (await named.list<StoredConnection>()).map(toRecord),
    async get(name) {
      const r = await named.get<StoredConnection>(name);
      return r && toRecord(r);
    },
    async put({ name, definition, origin, baseDir }) {
      const existed = Boolean(await named.get(name));
      await named.put<StoredConnection>(name, { connection: definition, origin, baseDir });
      return { created: !existed };
    },
    delete: (name) => named.remove(name),
  };
}

export function storePorts(store: Store): ServerPorts {
  return {
    tokens: store.tokens,
    connections: connectionRepo(store),
    async ready() {
      const { pending } = await store.health();
      return pending.length
        ? { ok: false, detail: `store ${store.location}: migrations pending: ${pending.join(', ')}` }
        : { ok: true, detail: `store ${store.location} (${store.dialect}): reachable, migrations applied` };
    },
    close: () => store.close(),
  };
}
