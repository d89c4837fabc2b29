/**
 * One node of a test cluster, as a real process: NodeService (heartbeat), a lease-held "source"
 * (runWithLease) and `CONCURRENCY` callers hammering the emulator through a gateway whose budget is
 * shared on the store. Configured by one JSON argument (NodeConfig); prints JSON lines:
 *   {event:'ready'}, {event:'lease', epoch}, {event:'lease-lost'}, {event:'stats', ok, failed}, {event:'error', message}
 *   node --import tsx test/cluster/support/node-process.ts '{"storeUrl":…}'
 */
import { NodeService, runWithLease, openBudgetStore } from '../../../src/cluster/index.ts';
import { createGateway } from '../../../src/gateway/index.ts';
import { openStore } from '../../../src/store/index.ts';
import { runUntilSignal } from '../../../src/lifecycle.ts';

export interface NodeConfig {
  storeUrl: string;
  baseUrl: string;
  nodeId: string;
  tps: number;
  burst: number;
  budgets?: Array<{ limit: number; intervalMs: number; burst?: number }>;
  concurrency: number;
  leaseTtlMs: number;
  heartbeatMs: number;
  minNodes?: number;
  maxNodes?: number;
  /** false: each node keeps its own local budget (the benchmark's baseline). Default true. */
  shared?: boolean;
}

const config = JSON.parse(process.argv[2]!) as NodeConfig;
const say = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify(line) + '\n');

const store = await openStore({ url: config.storeUrl });
const budgetStore = openBudgetStore(config.storeUrl);
const gateway = createGateway(
  {
    name: 'shared-conn',
    apiKey: 'sk_test_123',
    baseUrl: config.baseUrl,
    logging: { enabled: false },
    throttle: {
      tps: config.tps,
      burst: config.burst,
      shared: config.shared ?? true,
      ...(config.budgets ? { budgets: config.budgets } : {}),
    },
  },
  { budgetStore, logThrownErrors: false },
);
const node = new NodeService(store, {
  id: config.nodeId,
  settings: {
    heartbeatMs: config.heartbeatMs,
    ...(config.minNodes ? { minNodes: config.minNodes } : {}),
    ...(config.maxNodes ? { maxNodes: config.maxNodes } : {}),
  },
  budgets: () => [gateway.budget!],
});

let ok = 0;
let failed = 0;
const stopping = new AbortController();
async function caller(): Promise<void> {
  while (!stopping.signal.aborted) {
    try {
      await gateway.request({
        method: 'GET',
        path: '/v1/customers',
        params: { limit: 1 },
        signal: stopping.signal,
      });
      ok++;
    } catch (error) {
      if (stopping.signal.aborted) return;
      failed++;
      say({ event: 'error', message: (error as Error).message });
    }
  }
}

const callers: Promise<void>[] = [];
let source: ReturnType<typeof runWithLease> | undefined;
let statsTimer: NodeJS.Timeout | undefined;
await runUntilSignal([
  node,
  {
    name: 'work',
    async start() {
      source = runWithLease(store, 'source:demo', config.nodeId, config.leaseTtlMs, async (ctx) => {
        say({ event: 'lease', epoch: ctx.epoch, at: Date.now() });
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        say({ event: 'lease-lost', epoch: ctx.epoch, at: Date.now() });
      });
      for (let i = 0; i < config.concurrency; i++) callers.push(caller());
      statsTimer = setInterval(() => say({ event: 'stats', ok, failed }), 250);
      say({ event: 'ready', id: config.nodeId, at: Date.now() });
    },
    async stop() {
      stopping.abort();
      clearInterval(statsTimer);
      await Promise.all(callers);
      await source?.stop();
      say({ event: 'stats', ok, failed });
    },
  },
]).catch((error) => {
  say({
    event: 'error',
    fatal: true,
    code: (error as { code?: string }).code,
    message: (error as Error).message,
  });
  process.exitCode = 1;
});
await gateway.close();
await budgetStore.close();
await store.close();
