/**
 * The server as one node of a cluster: on a PostgreSQL store it registers itself (NodeService:
 * join under a lock, refuse beyond maxNodes, heartbeat), its connections' rate budgets live on the
 * store (one budget per connection for all nodes), and /readyz says not-ready while the cluster has
 * fewer live nodes than its minimum. SQLite is one process by design: no node, local budgets.
 */
import { z } from 'zod';
import { NodeService, openBudgetStore, type BudgetStore } from '../cluster/index.ts';
import { ConnectorError } from '../errors.ts';
import type { GatewayOptions } from '../gateway/index.ts';
import type { Store } from '../store/types.ts';
import type { ServerPorts } from './ports.ts';
import type { ConnectionRegistry } from './registry.ts';

/** The config's `cluster:` section (the Google seed's settings). */
export const clusterConfigSchema = z
  .object({
    /** Below this many live nodes every node's /readyz says not ready. */
    minNodes: z.number().int().min(1).max(1000).default(1),
    /** A node that would make more refuses to start (CLUSTER_FULL). */
    maxNodes: z.number().int().min(1).max(1000).optional(),
    /** How long a trigger source's (or any work's) lease lasts without renewal: how soon a dead node's work moves. */
    leaseMs: z.number().int().min(1000).max(600_000).default(15_000),
    /** How often a node renews its record; it counts as gone after 3 missed heartbeats. */
    heartbeatMs: z.number().int().min(100).max(60_000).default(5000),
    /** This node's id (default host/pid/random): stable ids read better in `stripe-connector nodes`. */
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'letters, digits and _ . : - only (at most 100)' })
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.maxNodes !== undefined && c.maxNodes < c.minNodes)
      ctx.addIssue({
        code: 'custom',
        path: ['maxNodes'],
        message: `is below minNodes (${c.minNodes})`,
      });
  });

export type ClusterConfig = z.output<typeof clusterConfigSchema>;

/** What a running node offers the rest of the server (runners use its id and lease time). */
export interface ClusterNode {
  node: NodeService;
  id: string;
  leaseMs: number;
  budgetStore: BudgetStore;
  /** For the server's runners: claims and leases held under the node's id, for its lease time. */
  runnerOptions: { worker: string; leaseMs: number };
  /** For every gateway: budgets on the store, shared unless a connection says `throttle.shared: false`. */
  gatewayOptions: GatewayOptions;
  /** The store's ports with readiness that also asks the cluster; closing stops the node first. */
  ports(base: ServerPorts): ServerPorts;
  /** Starts the node (throws CLUSTER_FULL beyond maxNodes); `registry` supplies the budgets in use. */
  start(registry: () => ConnectionRegistry | undefined, info: () => Record<string, unknown>): Promise<void>;
  /** Deregisters and closes the budget store (the store itself is closed by its owner). */
  stop(): Promise<void>;
}

/** A ClusterNode for a PostgreSQL store; undefined for SQLite (cluster settings then are an error). */
export function clusterNode(
  store: Store,
  url: string | undefined,
  config: ClusterConfig | undefined,
  log?: (line: string) => void,
): ClusterNode | undefined {
  if (store.dialect !== 'postgres' || !url) {
    if (config)
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `cluster: settings need a PostgreSQL store (--store postgres://… or storeUrl), not ${store.location}`,
        { field: 'cluster' },
      );
    return undefined;
  }
  const settings = clusterConfigSchema.parse(config ?? {});
  let registry: () => ConnectionRegistry | undefined = () => undefined;
  let info: () => Record<string, unknown> = () => ({});
  const node = new NodeService(store, {
    ...(settings.nodeId ? { id: settings.nodeId } : {}),
    settings: {
      minNodes: settings.minNodes,
      ...(settings.maxNodes !== undefined ? { maxNodes: settings.maxNodes } : {}),
      heartbeatMs: settings.heartbeatMs,
    },
    budgets: () => registry()?.budgets() ?? [],
    info: () => info(),
    ...(log ? { log } : {}),
  });
  const budgetStore = openBudgetStore(url);
  let started = false;
  const stop = async () => {
    if (started) await node.stop().catch(() => undefined);
    started = false;
    await budgetStore.close().catch(() => undefined);
  };
  return {
    node,
    id: node.id,
    leaseMs: settings.leaseMs,
    runnerOptions: { worker: node.id, leaseMs: settings.leaseMs },
    budgetStore,
    gatewayOptions: { budgetStore, shareBudgets: true },
    async start(r, i) {
      registry = r;
      info = i;
      await budgetStore.ready();
      await node.start();
      started = true;
    },
    stop,
    ports: (base) => ({
      ...base,
      async ready() {
        const own = await base.ready();
        if (!own.ok) return own;
        const cluster = await node.readiness();
        const nodes = `${cluster.live} live node(s), minimum ${cluster.minNodes}`;
        return cluster.ready
          ? { ok: true, detail: `${own.detail}; node ${node.id}: ${nodes}` }
          : { ok: false, detail: `node ${node.id}: ${cluster.reason}` };
      },
      async close() {
        await stop();
        await base.close?.();
      },
    }),
  };
}
