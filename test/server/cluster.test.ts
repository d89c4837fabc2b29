/**
 * The server on a PostgreSQL store is a cluster node: it registers with a heartbeat, its
 * connections' budgets are shared on the store, /readyz is not ready below minNodes, a node beyond
 * maxNodes refuses to start; the config's cluster section is validated.
 */
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { liveNodes } from '../../src/cluster/index.ts';
import { startEmulator } from '../../src/emulator/index.ts';
import { parseServerConfig } from '../../src/server/index.ts';
import { startService, type StartedService } from '../../src/server/service.ts';
import { openStore } from '../../src/store/index.ts';
import { dropSchemas, freshSchemaUrl, pgSkipReason } from '../support/pg.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const skipReason = await pgSkipReason();
afterAll(dropSchemas);

function configFile(cluster: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-cfg-'));
  const file = join(dir, 'server.json');
  writeFileSync(file, JSON.stringify({ cluster, ...extra }));
  return file;
}

const start = (storeUrl: string, cluster: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  startService({
    configFile: configFile(cluster, extra),
    storeUrl,
    port: 0,
    env: { SK: 'sk_test_123' },
    log: { level: 'silent' },
    firstToken: async () => null,
  });

describe('cluster settings in the server config', () => {
  it('are validated, each message naming the key', () => {
    expect(() => parseServerConfig({ cluster: { minNodes: 3, maxNodes: 2 } })).toThrow(
      /cluster\.maxNodes.*below minNodes \(3\)/,
    );
    expect(() => parseServerConfig({ cluster: { minNodes: 0 } })).toThrow(/cluster\.minNodes/);
    expect(() => parseServerConfig({ cluster: { leaseSeconds: 5 } })).toThrow(/leaseSeconds/);
    expect(parseServerConfig({ cluster: {} }).cluster).toEqual({
      minNodes: 1,
      leaseMs: 15_000,
      heartbeatMs: 5000,
    });
  });

  it('are refused on a SQLite store (one process by design)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cluster-sqlite-'));
    await expect(
      startService({
        configFile: configFile({ minNodes: 2 }),
        dataDir,
        port: 0,
        log: { level: 'silent' },
        firstToken: async () => null,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'cluster' } });
  });
});

describe.skipIf(skipReason !== undefined)(
  `server as a cluster node${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('registers, is not ready below minNodes, ready at it; refuses beyond maxNodes; deregisters on close', async () => {
      const url = freshSchemaUrl('srvnode');
      const running: StartedService[] = [];
      const store = await openStore({ url });
      try {
        const settings = { minNodes: 2, maxNodes: 2, heartbeatMs: 200 };
        running.push(await start(url, { ...settings, nodeId: 'a' }));
        const a = running[0]!;
        expect(a.cluster?.id).toBe('a');
        let res = await a.server.app.inject({ url: '/readyz' });
        expect(res.statusCode).toBe(503);
        expect(res.json().detail).toMatch(/node a: 1 live node\(s\), below the minimum of 2/);

        running.push(await start(url, { ...settings, nodeId: 'b' }));
        res = await a.server.app.inject({ url: '/readyz' });
        expect(res.statusCode).toBe(200);
        expect(res.json().detail).toMatch(/migrations applied; node a: 2 live node\(s\), minimum 2/);
        expect((await liveNodes(store)).map((n) => n.id)).toEqual(['a', 'b']);

        await expect(start(url, { ...settings, nodeId: 'c' })).rejects.toMatchObject({
          code: 'CLUSTER_FULL',
        });
        expect((await liveNodes(store)).map((n) => n.id)).toEqual(['a', 'b']);

        await running.pop()!.server.close();
        expect((await liveNodes(store)).map((n) => n.id)).toEqual(['a']);
        expect((await a.server.app.inject({ url: '/readyz' })).statusCode).toBe(503);
      } finally {
        for (const s of running) await s.server.close();
        await store.close();
      }
    }, 30_000);

    it('takes the store from STRIPE_CONNECTOR_STORE when neither --store, the config nor --data-dir names one', async () => {
      const url = freshSchemaUrl('srvenv');
      const common = { port: 0, log: { level: 'silent' as const }, firstToken: async () => null };
      const viaEnv = await startService({ ...common, env: { STRIPE_CONNECTOR_STORE: url } });
      try {
        expect(viaEnv.store.dialect).toBe('postgres');
        expect(viaEnv.cluster?.id).toMatch(/\/\d+\/[0-9a-f]{6}$/);
      } finally {
        await viaEnv.server.close();
      }
      const dataDir = mkdtempSync(join(tmpdir(), 'cluster-dir-'));
      const viaDir = await startService({ ...common, dataDir, env: { STRIPE_CONNECTOR_STORE: url } });
      try {
        expect(viaDir.store.dialect).toBe('sqlite');
        expect(viaDir.cluster).toBeUndefined();
      } finally {
        await viaDir.server.close();
      }
    }, 30_000);

    it('shares connection budgets on the store (unless a connection says shared: false) and reports them', async () => {
      const emulator = await startEmulator({ port: 0 });
      const url = freshSchemaUrl('srvbudget');
      const connection = (name: string, throttle: Record<string, unknown>) => ({
        name,
        apiKey: 'env:SK',
        baseUrl: emulator.url,
        throttle: { tps: 5, ...throttle },
      });
      const started = await start(
        url,
        { heartbeatMs: 200, nodeId: 'n1' },
        {
          connections: [connection('shop', { budgetKey: 'acct-shop' }), connection('own', { shared: false })],
        },
      );
      const client = new pg.Client({ connectionString: url.split('?')[0] });
      try {
        for (const name of ['shop', 'own']) {
          const { gateway } = await started.server.registry.context(name);
          await gateway.request({ method: 'GET', path: '/v1/customers', params: { limit: 1 } });
        }
        const shop = (await started.server.registry.context('shop')).gateway.budget!;
        expect(shop.info).toMatchObject({ key: 'acct-shop', shared: true });
        expect((await started.server.registry.context('own')).gateway.budget!.info.shared).toBe(false);
        await client.connect();
        const schema = new URL(url).searchParams.get('schema');
        const rows = await client.query(`select key from "${schema}".rate_budgets`);
        expect(rows.rows.map((r) => r.key).join(' ')).toContain('acct-shop');
        expect(rows.rows.map((r) => r.key).join(' ')).not.toContain('own');

        await started.cluster!.node.heartbeat();
        const store = await openStore({ url });
        const [me] = await liveNodes(store);
        await store.close();
        expect(me!.info.budgets).toEqual([
          expect.objectContaining({ key: 'acct-shop', shared: true, acquired: 1 }),
          expect.objectContaining({ key: 'own', shared: false, acquired: 1 }),
        ]);
        expect(me!.info.url).toBe(started.server.url);
      } finally {
        await client.end().catch(() => undefined);
        await started.server.close();
        await emulator.close();
      }
    }, 30_000);
  },
);
