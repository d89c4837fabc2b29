/** The in-memory ports and the store's mapping (on SQLite) pass the same ports contract. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/index.ts';
import { describe, expect, it } from 'vitest';
import { createInMemoryPorts, createServer, ensureAdminToken } from '../../src/server/index.ts';
import { storePorts } from '../../src/server/store-ports.ts';
import { portsContract } from './ports-contract.ts';

portsContract('in memory', async () => createInMemoryPorts());
portsContract('store (SQLite)', async () =>
  storePorts(await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'server-ports-')), 'store.db') })),
);

describe('the server on the store', () => {
  it('keeps config connections and tokens in SQLite and answers /readyz from its migrations', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'server-store-')), 'store.db');
    const server = await createServer({
      ports: storePorts(await openSqliteStore({ file })),
      config: { connections: [{ name: 'demo', apiKey: 'env:K' }] },
      log: { level: 'silent' },
    });
    const admin = await ensureAdminToken(server.ports.tokens);
    const res = await server.app.inject({
      url: '/api/connections',
      headers: { authorization: `Bearer ${admin!.token}` },
    });
    expect(res.json().data).toEqual([expect.objectContaining({ name: 'demo', origin: 'config' })]);
    const ready = await server.app.inject({ url: '/readyz' });
    expect(ready.json()).toEqual({ status: 'ready', detail: expect.stringContaining('migrations applied') });
    await server.close();
    // A restart on the same file: the admin token is still there, so none is minted again.
    const again = storePorts(await openSqliteStore({ file }));
    expect(await ensureAdminToken(again.tokens)).toBeNull();
    await again.close!();
  });
});
