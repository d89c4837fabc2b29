/**
 * A cluster bench for real node processes on one PostgreSQL schema: the emulator (two accounts:
 * the triggers' connection and billing's), a webhook sink that notices one delivery arriving twice
 * at once, the triggers and billing jobs seeded in the store, and `stripe-connector` node processes
 * (spawned by spawnNodes, one or more processes per node) that can be killed with `kill -9`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BillingService } from '../../../src/billing/index.ts';
import { startEmulator, type Emulator } from '../../../src/emulator/index.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { TriggerService } from '../../../src/triggers/service.ts';

const BIN = fileURLToPath(new URL('../../../bin/stripe-connector.js', import.meta.url));
const PLANS = fileURLToPath(new URL('../../../examples/plans.yaml', import.meta.url));

export const KEYS = {
  SHOP_KEY: 'sk_test_clustershop',
  SINK_SECRET: 'whsec_' + Buffer.from('cluster-sink-secret-32-bytes-long!').toString('base64'),
};

export interface SinkDelivery {
  trigger: string;
  id: string;
  eventId: string;
  objectId: string;
  at: number;
}

/** Receives the triggers' deliveries (POST /<trigger>), each held `holdMs` so overlaps show. */
export class Sink {
  readonly deliveries: SinkDelivery[] = [];
  /** Delivery ids that arrived while the same one was still in flight. */
  readonly overlaps: string[] = [];
  private readonly inFlight = new Set<string>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly holdMs: number) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const message = JSON.parse(body) as { id: string; event_id: string; data: { id: string } };
        const key = message.id;
        if (this.inFlight.has(key)) this.overlaps.push(key);
        this.inFlight.add(key);
        setTimeout(() => {
          this.inFlight.delete(key);
          this.deliveries.push({
            trigger: (req.url ?? '/').slice(1),
            id: message.id,
            eventId: message.event_id,
            objectId: message.data.id,
            at: Date.now(),
          });
          res.writeHead(200).end('ok');
        }, this.holdMs);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Per trigger, the customers delivered (each once however often it arrived). */
  delivered(trigger: string): Set<string> {
    return new Set(this.deliveries.filter((d) => d.trigger === trigger).map((d) => d.objectId));
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface BenchOptions {
  storeUrl: string;
  /** The triggers' connection budget (shared by every node). */
  tps: number;
  burst: number;
  triggers: number;
  /** Billing integrations, each with the example plan file's jobs. */
  integrations: number;
  /** Emulator latency per request. */
  latencyMs?: number;
  sinkHoldMs?: number;
  /** The triggers' delivery (default ordered, one at a time per trigger across all nodes). */
  delivery?: { mode: 'ordered' | 'parallel'; concurrency?: number };
  /** Events per second to each trigger's sink (the trigger's own limit; default the definition's). */
  rateLimit?: number;
}

export interface ClusterBench {
  emulator: Emulator;
  sink: Sink;
  store: Store;
  billing: BillingService;
  dir: string;
  triggerNames: string[];
  env: Record<string, string>;
  /** The connection file of the triggers' connection (also inlined in the server config). */
  connection: Record<string, unknown>;
  /** Creates a customer on the triggers' account. */
  customer(n: number): Promise<string>;
  /** What the nodes asked of Stripe on the triggers' connection (epoch ms of each). */
  shopRequests(): number[];
  close(): Promise<void>;
}

export async function clusterBench(o: BenchOptions): Promise<ClusterBench> {
  // Each billing integration on an account of its own (the plan file's lookup keys are per account).
  const billingKeys: Record<string, string> = {};
  const accounts: Record<string, string> = { [KEYS.SHOP_KEY]: 'acct_shop' };
  for (let i = 1; i <= o.integrations; i++) {
    billingKeys[`SK_${i}`] = `sk_test_clusterbill${i}`;
    billingKeys[`PK_${i}`] = `pk_test_clusterbill${i}`;
    accounts[`sk_test_clusterbill${i}`] = accounts[`pk_test_clusterbill${i}`] = `acct_bill${i}`;
  }
  const emulator = await startEmulator({
    port: 0,
    accounts,
    ...(o.latencyMs ? { latency: { ms: o.latencyMs } } : {}),
  });
  const sink = new Sink(o.sinkHoldMs ?? 50);
  await sink.start();
  const store = await openStore({ url: o.storeUrl });
  const dir = mkdtempSync(join(tmpdir(), 'cluster-bench-'));
  const env = { ...KEYS, ...billingKeys, STRIPE_API_BASE: emulator.url };
  const connection = {
    name: 'shop',
    apiKey: 'env:SHOP_KEY',
    baseUrl: emulator.url,
    logging: { enabled: false },
    throttle: { tps: o.tps, burst: o.burst, shared: true },
  };
  writeFileSync(join(dir, 'shop.json'), JSON.stringify(connection));

  const triggers = new TriggerService(store);
  const triggerNames = Array.from({ length: o.triggers }, (_, i) => `new-customers-${i + 1}`);
  for (const name of triggerNames)
    await triggers.add({
      name,
      connection: 'shop',
      source: 'events',
      events: ['customer.created'],
      interval: '1s',
      sink: `${sink.url}/${name}`,
      sinkSecret: 'env:SINK_SECRET',
      retry: { maxAttempts: 50 },
      ...(o.delivery ? { delivery: o.delivery } : {}),
      ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
    } as never);

  const billing = new BillingService({ store, env });
  for (let i = 1; i <= o.integrations; i++) {
    await billing.addIntegration({
      title: `Bill ${i}`,
      publishableKey: `env:PK_${i}`,
      secretKey: `env:SK_${i}`,
    });
    await billing.addCatalog(`cat-${i}`, 'sandbox');
    await billing.attach(`cat-${i}`, `bill-${i}`);
  }

  return {
    emulator,
    sink,
    store,
    billing,
    dir,
    triggerNames,
    env,
    connection,
    async customer(n) {
      const res = await fetch(`${emulator.url}/v1/customers`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${KEYS.SHOP_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ email: `c${n}@x.test` }),
      });
      return ((await res.json()) as { id: string }).id;
    },
    // The triggers' pollers list events; nothing else here does (billing creates products and prices).
    shopRequests: () => emulator.requests.filter((r) => r.path === '/v1/events').map((r) => r.at),
    async close() {
      await billing.close();
      await store.close();
      await sink.close();
      await emulator.close();
    },
  };
}

/** Queues the example plan file's jobs on every integration's catalog (they run on the nodes). */
export async function queuePlans(bench: ClusterBench, integrations: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= integrations; i++) {
    const queued = await bench.billing.apply({ catalog: `cat-${i}`, file: PLANS, wait: false });
    for (const integration of queued.integrations) ids.push(...(integration.jobs ?? []).map((j) => j.id));
  }
  return ids;
}

export interface NodeProcess {
  id: string;
  procs: ChildProcess[];
  stderr(): string;
  /** Every process of the node has exited. */
  exited: Promise<Array<number | null>>;
  /** Resolves once each process said it runs. */
  started: Promise<void>;
  kill(signal: NodeJS.Signals): void;
  pids: number[];
}

interface Spawned {
  args: string[];
  /** What its stderr/stdout says once it runs (none: running once spawned). */
  ready?: RegExp;
}

/**
 * How a node runs: `serve` (the server runs triggers and billing jobs itself), or `trigger run` +
 * `billing work` side by side (the CLI's runners, before the server ran them).
 */
export type NodeMode = 'serve' | 'runners';

function nodeCommands(
  mode: NodeMode,
  bench: ClusterBench,
  storeUrl: string,
  id: string,
  cluster: Record<string, unknown>,
): Spawned[] {
  if (mode === 'runners')
    return [
      {
        args: ['trigger', 'run', '--store', storeUrl, '--connection', join(bench.dir, 'shop.json')],
        ready: /running \d+ trigger/,
      },
      { args: ['billing', 'work', '--store', storeUrl] },
    ];
  const config = join(bench.dir, `${id}.json`);
  writeFileSync(
    config,
    JSON.stringify({ connections: [bench.connection], cluster: { ...cluster, nodeId: id } }),
  );
  return [{ args: ['serve', '--store', storeUrl, '--config', config, '--port', '0'], ready: /^node: /m }];
}

export function spawnNode(
  mode: NodeMode,
  bench: ClusterBench,
  storeUrl: string,
  id: string,
  cluster: Record<string, unknown> = {},
): NodeProcess {
  let err = '';
  const commands = nodeCommands(mode, bench, storeUrl, id, cluster);
  const starts: Promise<void>[] = [];
  const procs = commands.map(({ args, ready }) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      cwd: bench.dir,
      env: {
        ...process.env,
        ...bench.env,
        STRIPE_CONNECTOR_FROM_SOURCE: '1',
        // `trigger run` opens the shared budget on this store.
        STRIPE_CONNECTOR_STORE: storeUrl,
        STRIPE_CONNECTOR_DATA: undefined,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    starts.push(
      new Promise<void>((resolve, reject) => {
        const look = (d: Buffer) => {
          seen += d.toString();
          err += d.toString();
          if (!ready || ready.test(seen)) resolve();
        };
        if (!ready) resolve();
        proc.stdout!.on('data', look);
        proc.stderr!.on('data', look);
        proc.on('exit', (code) =>
          reject(new Error(`node ${id} (${args[0]}) exited ${code}: ${seen.slice(-1500)}`)),
        );
      }),
    );
    return proc;
  });
  return {
    id,
    procs,
    pids: procs.map((p) => p.pid!),
    stderr: () => err,
    started: Promise.all(starts).then(() => undefined),
    exited: Promise.all(procs.map((p) => new Promise<number | null>((r) => p.on('exit', (code) => r(code))))),
    kill: (signal) => procs.forEach((p) => p.exitCode === null && p.signalCode === null && p.kill(signal)),
  };
}

/** True when a claim or lease holder is one of the node's processes (a worker id names its pid). */
export function heldBy(node: NodeProcess, holder: string | null | undefined): boolean {
  if (!holder) return false;
  if (holder === node.id) return true;
  const pid = /[/:](\d+)[/:]/.exec(holder)?.[1];
  return pid !== undefined && node.pids.includes(Number(pid));
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
