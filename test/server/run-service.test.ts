/** The server as a service on the store (what `serve` runs) and the token commands' engine. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startService } from '../../src/server/service.ts';
import { createToken, listTokens, parseScope, revokeToken } from '../../src/server/token-admin.ts';

const silent = { level: 'silent' as const };

describe('startService', () => {
  it('opens SQLite in the data dir, loads the config’s connections, prints the admin token once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    const config = join(dir, 'server.yaml');
    writeFileSync(
      config,
      [
        'listen: { port: 0 }',
        `dataDir: ${join(dir, 'data')}`,
        'connections:',
        '  - { name: shop, apiKey: env:SHOP_KEY }',
      ].join('\n'),
    );
    const first = await startService({ configFile: config, log: silent });
    try {
      expect(first.token).toMatch(/^sct_/);
      expect(first.store.location).toContain(join(dir, 'data'));
      const res = await fetch(`${first.server.url}/api/connections`, {
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect((await res.json()).data.map((c: any) => c.name)).toEqual(['shop']);
    } finally {
      await first.server.close();
    }
    const again = await startService({ configFile: config, log: silent });
    try {
      expect(again.token).toBeNull();
      // The first token still works after the restart: it is kept (hashed) in the store.
      const res = await fetch(`${again.server.url}/api/connections`, {
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await again.server.close();
    }
  });

  it('runs afterStart with the listening server and its store; a failure there stops the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    let seen: { url: string; connections: number } | undefined;
    const started = await startService({
      dataDir: dir,
      port: 0,
      log: silent,
      connections: [{ name: 'demo', apiKey: 'env:K' }],
      afterStart: async ({ server, store }) => {
        seen = { url: server.url, connections: (await store.connections.list()).length };
      },
    });
    await started.server.close();
    expect(seen).toEqual({ url: started.server.url, connections: 1 });
    await expect(
      startService({
        dataDir: dir,
        port: 0,
        log: silent,
        afterStart: async () => {
          throw new Error('no demo trigger');
        },
      }),
    ).rejects.toThrow('no demo trigger');
    // The failed start released the store: it opens again at once.
    const again = await startService({ dataDir: dir, port: 0, log: silent });
    await again.server.close();
  });

  it('refuses --data-dir with --store, an unset env: store URL, and names --port when it is busy', async () => {
    await expect(startService({ dataDir: 'a', storeUrl: 'sqlite:b', log: silent })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: '--store' },
    });
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    const config = join(dir, 'server.yaml');
    writeFileSync(config, 'storeUrl: env:NO_SUCH_STORE_URL\n');
    await expect(startService({ configFile: config, env: {}, log: silent })).rejects.toMatchObject({
      code: 'SECRET_UNRESOLVED',
      details: { field: 'storeUrl' },
    });
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startService({ dataDir: dir, port, log: silent })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { field: '--port', port },
      });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('token administration', () => {
  it('creates (the text once), lists without the text, revokes; bad input is named', async () => {
    const store = { dataDir: mkdtempSync(join(tmpdir(), 'tokens-')) };
    const made = await createToken(store, { scope: 'read', connections: ['shop'], label: 'ci' });
    expect(made.token).toMatch(/^sct_/);
    const listed = await listTokens(store);
    expect(listed).toEqual([
      expect.objectContaining({ id: made.record.id, name: 'ci', connections: ['shop'] }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    await revokeToken(store, made.record.id);
    expect((await listTokens(store))[0].revokedAt).not.toBeNull();
    await expect(revokeToken(store, made.record.id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(revokeToken(store, 'tok_nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { field: 'id' },
    });
    expect(() => parseScope('root')).toThrow(/--scope must be one of read, write, admin/);
  });
});
