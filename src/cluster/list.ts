/** What `stripe-connector nodes` shows: the live nodes, what each holds, the budgets in use. */
import { openStore } from '../store/index.ts';
import { liveNodes, type NodeInfo } from './nodes.ts';

export interface ClusterListing {
  store: string;
  nodes: Array<{
    id: string;
    host?: string;
    pid?: number;
    startedAt: number;
    heartbeatAt: number;
    /** ms since its last heartbeat. */
    age: number;
    leases: string[];
    budgets: NodeInfo['budgets'];
  }>;
}

export async function listCluster(opts: { url?: string; dataDir?: string }): Promise<ClusterListing> {
  const store = await openStore({
    ...(opts.url ? { url: opts.url } : {}),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
  });
  try {
    const now = store.now();
    const nodes = await liveNodes(store);
    // Leases as the store has them now, not as of each node's last heartbeat.
    const leases = (await store.leases.list()).filter((l) => l.expiresAt > now);
    return {
      store: store.location,
      nodes: nodes.map((n) => ({
        id: n.id,
        ...(n.info?.host ? { host: n.info.host } : {}),
        ...(n.info?.pid ? { pid: n.info.pid } : {}),
        startedAt: n.startedAt,
        heartbeatAt: n.heartbeatAt,
        age: now - n.heartbeatAt,
        leases: leases.filter((l) => l.holder === n.id).map((l) => l.name),
        budgets: n.info?.budgets ?? [],
      })),
    };
  } finally {
    await store.close();
  }
}
