/**
 * Named connections → live connector contexts. One gateway per connection, made on first use and
 * kept (its throttle is the connection's shared rate budget, so every request on that connection
 * must go through the same one), replaced when the definition changes, closed on shutdown. Counters
 * of closed gateways are kept so /metrics never goes backwards.
 */
import type { StripeCatalog } from '../catalog/index.ts';
import type { ConnectorContext } from '../context.ts';
import {
  createGatewayFromConnection,
  type Gateway,
  type GatewayOptions,
  type GatewayStats,
} from '../gateway/index.ts';
import { resolveDefinition } from './config.ts';
import { ConnectorError } from '../errors.ts';
import type { ConnectionRecord, ConnectionRepo } from './ports.ts';

export interface RegistryOptions {
  repo: ConnectionRepo;
  catalog: StripeCatalog;
  env: Record<string, string | undefined>;
  gatewayOptions?: GatewayOptions;
  /** Where a connection's gateway writes its (already redacted) log lines. */
  logSink?: (connection: string) => (line: string) => void;
}

type Counters = Pick<
  GatewayStats,
  | 'requests'
  | 'succeeded'
  | 'failed'
  | 'attempts'
  | 'retries'
  | 'rateLimited'
  | 'throttledWaits'
  | 'throttledMs'
>;

export const COUNTER_KEYS: Array<keyof Counters> = [
  'requests',
  'succeeded',
  'failed',
  'attempts',
  'retries',
  'rateLimited',
  'throttledWaits',
  'throttledMs',
];

export interface ConnectionStats {
  connection: string;
  counters: Counters;
  retriesByReason: Record<string, number>;
}

export class ConnectionRegistry {
  private readonly live = new Map<string, { record: ConnectionRecord; gateway: Gateway }>();
  private readonly retired = new Map<string, ConnectionStats>();
  private closing = false;

  constructor(private readonly options: RegistryOptions) {}

  get catalog(): StripeCatalog {
    return this.options.catalog;
  }

  async record(name: string): Promise<ConnectionRecord> {
    const record = await this.options.repo.get(name);
    if (!record)
      throw new ConnectorError('UNKNOWN_CONNECTION', `no connection named "${name}"`, { field: 'name' });
    return record;
  }

  /** The connector context of a named connection (its gateway made once, reused). */
  async context(name: string): Promise<ConnectorContext> {
    const record = await this.record(name);
    const current = this.live.get(name);
    if (current && current.record.updatedAt === record.updatedAt)
      return { catalog: this.catalog, gateway: current.gateway };
    if (this.closing) throw new ConnectorError('NOT_READY', 'the server is shutting down');
    const connection = resolveDefinition(record.definition, record.baseDir, this.options.env);
    const gateway = createGatewayFromConnection(connection, {
      logThrownErrors: false,
      ...(this.options.logSink ? { logSink: this.options.logSink(name) } : {}),
      ...this.options.gatewayOptions,
    });
    if (current) await this.retire(name);
    this.live.set(name, { record, gateway });
    return { catalog: this.catalog, gateway };
  }

  /** Closes the gateway of a connection that was changed or deleted. */
  async retire(name: string): Promise<void> {
    const current = this.live.get(name);
    if (!current) return;
    this.live.delete(name);
    this.retired.set(name, add(this.retired.get(name), statsOf(name, current.gateway)));
    await current.gateway.close();
  }

  /** The rate budgets the live gateways use (a node's record shows them). */
  budgets(): Array<NonNullable<Gateway['budget']>> {
    return [...this.live.values()].flatMap(({ gateway }) => (gateway.budget ? [gateway.budget] : []));
  }

  /** Per connection, the gateway counters since the server started. */
  stats(): ConnectionStats[] {
    const names = new Set([...this.live.keys(), ...this.retired.keys()]);
    return [...names].sort().map((name) => {
      const live = this.live.get(name);
      return add(this.retired.get(name), live ? statsOf(name, live.gateway) : undefined);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.live.keys()].map((name) => this.retire(name)));
  }
}

function statsOf(name: string, gateway: Gateway): ConnectionStats {
  const s = gateway.stats;
  const counters = Object.fromEntries(COUNTER_KEYS.map((k) => [k, s?.[k] ?? 0])) as unknown as Counters;
  const retriesByReason: Record<string, number> = {};
  for (const [reason, n] of Object.entries(s?.retriesByReason ?? {})) retriesByReason[reason] = n ?? 0;
  return { connection: name, counters, retriesByReason };
}

function add(a: ConnectionStats | undefined, b: ConnectionStats | undefined): ConnectionStats {
  if (!a) return b!;
  if (!b) return a;
  const counters = { ...a.counters };
  for (const k of COUNTER_KEYS) counters[k] += b.counters[k];
  const retriesByReason = { ...a.retriesByReason };
  for (const [r, n] of Object.entries(b.retriesByReason)) retriesByReason[r] = (retriesByReason[r] ?? 0) + n;
  return { connection: a.connection, counters, retriesByReason };
}
