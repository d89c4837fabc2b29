/** `stripe-connector nodes`: the live nodes on a store, as a table or JSON. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeService } from '../../src/cluster/index.ts';
import { localBudget } from '../../src/gateway/budget.ts';
import { openStore } from '../../src/store/index.ts';
import { runCli } from '../e2e/run.ts';

const root = mkdtempSync(join(tmpdir(), 'cluster-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('nodes command', () => {
  it('lists live nodes with their leases and budgets; --json; STRIPE_CONNECTOR_STORE', async () => {
    const url = `sqlite:${join(root, 'store.db')}`;
    const store = await openStore({ url });
    const budget = localBudget('main', [
      { limit: 20, intervalMs: 1000, burst: 2 },
      { limit: 100, intervalMs: 60_000, burst: 10 },
    ]);
    const node = new NodeService(store, {
      id: 'node-a',
      settings: { heartbeatMs: 60_000 },
      budgets: () => [budget],
    });
    await node.start();
    await store.leases.acquire('source:orders', 'node-a', 60_000);
    await node.heartbeat();
    try {
      const json = await runCli(['nodes', '--store', url, '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout).nodes).toMatchObject([
        {
          id: 'node-a',
          pid: process.pid,
          leases: ['source:orders'],
          budgets: [{ key: 'main', shared: false }],
        },
      ]);
      const table = await runCli(['nodes'], { STRIPE_CONNECTOR_STORE: url });
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/node-a .*source:orders .*main 20\/s\+100\/60s \(0 calls\)/s);
    } finally {
      await node.stop();
    }
    const none = await runCli(['nodes', '--store', url]);
    expect(none.stdout).toMatch(/^no live nodes on /);
    await store.close();
  });
});
