/** NodeService on a SQLite store (the repos are the same on PostgreSQL: the contract suite). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeService, liveNodes, listCluster } from '../../src/cluster/index.ts';
import { localBudget } from '../../src/gateway/budget.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { rejection } from '../support/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'cluster-nodes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
async function fresh(): Promise<{ store: Store; url: string }> {
  const url = `sqlite:${join(root, `s${n++}.db`)}`;
  return { store: await openStore({ url }), url };
}

describe('NodeService', () => {
  it('registers with what it holds and the budgets it uses; stop deregisters', async () => {
    const { store, url } = await fresh();
    const budget = localBudget('main', [{ limit: 20, intervalMs: 1000, burst: 2 }]);
    await budget.acquire();
    const node = new NodeService(store, { id: 'a', settings: { heartbeatMs: 50 }, budgets: () => [budget] });
    await node.start();
    await store.leases.acquire('source:t1', 'a', 10_000);
    await node.heartbeat();
    const [record] = await liveNodes(store);
    expect(record).toMatchObject({
      id: 'a',
      info: {
        pid: process.pid,
        ttlMs: 150,
        leases: ['source:t1'],
        budgets: [{ key: 'main', shared: false, acquired: 1 }],
      },
    });
    const listing = await listCluster({ url });
    expect(listing.nodes).toMatchObject([{ id: 'a', leases: ['source:t1'], budgets: [{ key: 'main' }] }]);
    await node.stop();
    expect(await liveNodes(store)).toEqual([]);
    await store.close();
  });

  it('keeps its record alive by heartbeats; a stopped heartbeat lapses after the node ttl', async () => {
    const { store } = await fresh();
    const node = new NodeService(store, { id: 'b', settings: { heartbeatMs: 40 } });
    await node.start();
    await new Promise((r) => setTimeout(r, 300));
    expect((await liveNodes(store)).map((x) => x.id)).toEqual(['b']);
    // As if killed: no more heartbeats, no deregistration.
    (node as unknown as { running: boolean }).running = false;
    clearTimeout((node as unknown as { timer: NodeJS.Timeout }).timer);
    await new Promise((r) => setTimeout(r, 250));
    expect(await liveNodes(store)).toEqual([]);
    await store.close();
  });

  it('is not ready below minNodes, ready at it', async () => {
    const { store } = await fresh();
    const settings = { minNodes: 2, heartbeatMs: 1000 };
    const a = new NodeService(store, { id: 'a', settings });
    expect(await a.readiness()).toMatchObject({ ready: false, reason: 'node a is not running' });
    await a.start();
    expect(await a.readiness()).toMatchObject({
      ready: false,
      live: 1,
      minNodes: 2,
      reason: '1 live node(s), below the minimum of 2',
    });
    const b = new NodeService(store, { id: 'b', settings });
    await b.start();
    expect(await a.readiness()).toEqual({ ready: true, live: 2, minNodes: 2 });
    await b.stop();
    expect((await a.readiness()).ready).toBe(false);
    await a.stop();
    await store.close();
  });

  it('refuses to start beyond maxNodes, even when all start at once', async () => {
    const { store } = await fresh();
    const settings = { maxNodes: 2, heartbeatMs: 1000 };
    const nodes = ['a', 'b', 'c'].map((id) => new NodeService(store, { id, settings }));
    const outcomes = await Promise.allSettled(nodes.map((x) => x.start()));
    const refused = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ code: 'CLUSTER_FULL' });
    expect(String(refused[0]!.reason.message)).toMatch(
      /2 live nodes already .* and maxNodes is 2; raise maxNodes or stop a node/,
    );
    expect(await liveNodes(store)).toHaveLength(2);
    await Promise.all(nodes.map((x) => x.stop()));
    await store.close();
  });

  it('refuses maxNodes below minNodes', async () => {
    const { store } = await fresh();
    await rejection(
      (async () => new NodeService(store, { settings: { minNodes: 3, maxNodes: 2 } }))(),
      'INVALID_VALUE',
    );
    await store.close();
  });
});
