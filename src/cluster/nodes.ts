/**
 * This process as one node of a cluster sharing a store: it registers itself with a heartbeat
 * (what it holds, the budgets it uses), refuses to start beyond the cluster's maximum, and says
 * whether the cluster is ready (at least its minimum of live nodes) — the server's /readyz.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConnectorError } from '../errors.ts';
import type { BudgetInfo } from '../gateway/budget.ts';
import type { Service } from '../lifecycle.ts';
import type { Store } from '../store/index.ts';
import type { ThrottleStats } from '../gateway/throttle.ts';

/** As the Google seed: a connection runs on `minNodes` to `maxNodes` nodes. */
export interface ClusterSettings {
  /** Below this many live nodes the cluster is not ready (default 1). */
  minNodes?: number;
  /** A node that would make more than this many refuses to start (default: no maximum). */
  maxNodes?: number;
  /** How often a node renews its record (default 5 s). */
  heartbeatMs?: number;
  /** A node whose last heartbeat is older than this is gone (default 3 heartbeats). */
  nodeTtlMs?: number;
}

/** What a node's record says about it (nodes.info in the store). */
export interface NodeInfo {
  host: string;
  pid: number;
  /** How long its record stays valid without a heartbeat. */
  ttlMs: number;
  /** Names of the leases it holds (trigger sources, …). */
  leases: string[];
  budgets: Array<BudgetInfo & { acquired: number; waitedMs: number }>;
  [extra: string]: unknown;
}

/** A budget as a node reports it: its settings and what it handed out so far. */
export interface BudgetSource {
  info: BudgetInfo;
  stats: ThrottleStats;
}

export interface NodeServiceOptions {
  /** Default: host/pid/random, unique per process start. */
  id?: string;
  settings?: ClusterSettings;
  /** The budgets this node uses (read at each heartbeat). */
  budgets?: () => BudgetSource[];
  /** More facts for the record (e.g. the server's address). */
  info?: () => Record<string, unknown>;
  log?: (line: string) => void;
}

export interface Readiness {
  ready: boolean;
  live: number;
  minNodes: number;
  maxNodes?: number;
  reason?: string;
}

const JOIN_LEASE = 'cluster:join';

/**
 * host/pid/random: the form of a trigger runner's worker id (triggers/store/workers.ts), so a server
 * that runs its work under its node id shows what it holds in `nodes`, and a restart on the same
 * host can tell the holder is gone.
 */
export function newNodeId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

export function clusterDefaults(settings: ClusterSettings = {}) {
  const heartbeatMs = settings.heartbeatMs ?? 5000;
  const minNodes = settings.minNodes ?? 1;
  if (settings.maxNodes !== undefined && settings.maxNodes < minNodes)
    throw new ConnectorError(
      'INVALID_VALUE',
      `cluster: maxNodes (${settings.maxNodes}) is below minNodes (${minNodes})`,
      { field: 'maxNodes' },
    );
  return {
    minNodes,
    maxNodes: settings.maxNodes,
    heartbeatMs,
    nodeTtlMs: settings.nodeTtlMs ?? 3 * heartbeatMs,
  };
}

export class NodeService implements Service {
  readonly name = 'node';
  readonly id: string;
  readonly settings: ReturnType<typeof clusterDefaults>;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly options: NodeServiceOptions = {},
  ) {
    this.id = options.id ?? newNodeId();
    this.settings = clusterDefaults(options.settings);
  }

  /** Joins (one node at a time, so a simultaneous start can't overshoot maxNodes), then heartbeats. */
  async start(): Promise<void> {
    await this.exclusively(async () => {
      const { maxNodes } = this.settings;
      const others = (await liveNodes(this.store, this.settings.nodeTtlMs)).filter((n) => n.id !== this.id);
      if (maxNodes !== undefined && others.length >= maxNodes)
        throw new ConnectorError(
          'CLUSTER_FULL',
          `node ${this.id} refused to start: ${others.length} live nodes already (${others.map((n) => n.id).join(', ')}) and maxNodes is ${maxNodes}; raise maxNodes or stop a node`,
          { live: others.length, maxNodes },
        );
      await this.heartbeat();
    });
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.store.nodes.remove(this.id);
  }

  /** Ready while this node runs and the cluster has at least minNodes live nodes. */
  async readiness(): Promise<Readiness> {
    const { minNodes, maxNodes } = this.settings;
    const live = (await liveNodes(this.store, this.settings.nodeTtlMs)).length;
    const base = { live, minNodes, ...(maxNodes !== undefined ? { maxNodes } : {}) };
    if (!this.running) return { ready: false, ...base, reason: `node ${this.id} is not running` };
    if (live < minNodes)
      return { ready: false, ...base, reason: `${live} live node(s), below the minimum of ${minNodes}` };
    return { ready: true, ...base };
  }

  async heartbeat(): Promise<void> {
    const now = this.store.now();
    const leases = (await this.store.leases.list(this.id))
      .filter((l) => l.expiresAt > now)
      .map((l) => l.name);
    const info: NodeInfo = {
      ...this.options.info?.(),
      host: hostname(),
      pid: process.pid,
      ttlMs: this.settings.nodeTtlMs,
      leases,
      budgets: (this.options.budgets?.() ?? []).map((b) => ({
        ...b.info,
        acquired: b.stats.acquired,
        waitedMs: Math.round(b.stats.waitedMs),
      })),
    };
    await this.store.nodes.heartbeat(this.id, info);
  }

  private schedule(): void {
    this.timer = setTimeout(async () => {
      try {
        await this.heartbeat();
      } catch (error) {
        this.options.log?.(`node ${this.id}: heartbeat failed: ${(error as Error).message}`);
      }
      if (this.running) this.schedule();
    }, this.settings.heartbeatMs);
    this.timer.unref();
  }

  private async exclusively<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 15_000;
    while (!(await this.store.leases.acquire(JOIN_LEASE, this.id, 10_000))) {
      if (Date.now() > deadline)
        throw new ConnectorError(
          'STORE_UNAVAILABLE',
          `node ${this.id}: could not take the join lease in 15 s`,
        );
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
    try {
      return await fn();
    } finally {
      await this.store.leases.release(JOIN_LEASE, this.id);
    }
  }
}

/** Nodes whose record is still valid (each by its own ttl, else `defaultTtlMs`). */
export async function liveNodes(store: Store, defaultTtlMs = 15_000) {
  const now = store.now();
  const all = await store.nodes.list<NodeInfo>();
  return all.filter((n) => now - n.heartbeatAt <= (n.info?.ttlMs ?? defaultTtlMs));
}
