/** What the route groups share: the ports, the live connections, the catalog, the counters. */
import type { StripeCatalog } from '../catalog/index.ts';
import type { OwnerResolvers } from './auth.ts';
import type { ServerConfig } from './config.ts';
import type { RequestMetrics } from './metrics.ts';
import type { ServerPorts } from './ports.ts';
import type { ConnectionRegistry } from './registry.ts';

export interface ServerState {
  config: ServerConfig;
  ports: ServerPorts;
  registry: ConnectionRegistry;
  catalog: StripeCatalog;
  metrics: RequestMetrics;
  /** More /metrics families (Prometheus text), added by route groups (the trigger runner's). */
  metricSources: Array<() => Promise<string>>;
  /** How each kind of object finds its connection, for the one authorization step (auth.ts). */
  owners: OwnerResolvers;
  /** Secrets of connections are resolved from this environment... */
  env: Record<string, string | undefined>;
  /** ...and relative `file:` references of connections created by the API from this folder. */
  baseDir: string;
}
