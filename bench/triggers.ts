/**
 * Triggers end to end: the emulator (its own process) makes customers, sends each
 * `customer.created` webhook to the runner's listener, which stores it (inbox + delivery, group
 * committed, durable before the 2xx) and the dispatcher sends it, Standard-Webhooks signed, to an
 * HTTP sink on loopback that verifies the signature. Against a pass-through baseline in the same
 * run: the same listener handing each verified event straight to the same sink, no store.
 * Events/s = events / (last sink receipt − first create); latency = create sent → sink receipt.
 *   npm run bench -- triggers        (BENCH_QUICK=1 for a smoke run; BENCH_EVENTS=n)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { loadCatalog } from '../src/catalog/index.ts';
import { createGateway } from '../src/gateway/index.ts';
import { runUntilSignal } from '../src/lifecycle.ts';
import { openStore } from '../src/store/index.ts';
import { triggerServices } from '../src/triggers/runner.ts';
import { TriggerService } from '../src/triggers/service.ts';
import { httpSink } from '../src/triggers/sinks/http.ts';
import { listenWebhooks } from '../src/triggers/sources/listener.ts';
import { sinkMessage } from '../src/triggers/message.ts';
import { deliveryId } from '../src/triggers/delivery-id.ts';
import { webhookSignature } from '../src/emulator/index.ts';
import { freePort } from '../test/triggers/support/processes.ts';

const N = Number(process.env.BENCH_EVENTS ?? (process.env.BENCH_QUICK ? 300 : 5000));
const SECRET = 'whsec_' + Buffer.from('bench-sink-secret-0123456789').toString('base64');
const KEY = 'sk_test_bench';

async function startEmulatorProcess(port: number) {
  const bin = new URL('../bin/stripe-connector.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'emulator', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => /listening/.test(d.toString()) && resolve()),
  );
  return child;
}

/** The loopback sink: verifies each delivery's signature, notes when each customer arrived. */
async function startSink(received: Map<string, number>): Promise<Server & { url: string }> {
  const verifier = new Webhook(SECRET);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const msg = verifier.verify(body, req.headers as Record<string, string>) as {
        data: { object?: { email?: string }; email?: string };
      };
      const email = (msg.data.email ?? msg.data.object?.email) as string;
      if (!received.has(email)) received.set(email, performance.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
}

async function api(base: string, method: string, path: string, params: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: method === 'GET' ? undefined : new URLSearchParams(params),
  });
  return (await res.json()) as Record<string, any>;
}

/**
 * The events' source. `emulator`: N customers made through the API, 32 requests at a time (the
 * emulator then sends each webhook). `direct`: N signed `customer.created` webhooks posted by the
 * bench itself, 64 at a time, as Stripe would send them, so the emulator's own ceiling (~500
 * creates/s on the loaded machine) does not hide the connector's.
 */
interface Driver {
  kind: 'emulator' | 'direct';
  /** For direct: where to post and the endpoint secret to sign with. */
  target?: () => Promise<{ url: string; secret: string }>;
}

async function produce(base: string, tag: string, driver: Driver): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  const target = driver.kind === 'direct' ? await driver.target?.() : undefined;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < N; i = next++) {
      const email = `${tag}${i}@bench.test`;
      sent.set(email, performance.now());
      if (!target) {
        await api(base, 'POST', '/v1/customers', { email });
        continue;
      }
      const created = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        id: `evt_${tag}_${i}`,
        object: 'event',
        type: 'customer.created',
        created,
        data: { object: { id: `cus_${tag}_${i}`, object: 'customer', email } },
      });
      const res = await fetch(target.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': webhookSignature(body, target.secret),
        },
      });
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: target ? 64 : 32 }, worker));
  return sent;
}

async function measure(base: string, tag: string, received: Map<string, number>, driver: Driver) {
  const sent = await produce(base, tag, driver);
  const end = Date.now() + 120_000;
  while ([...sent.keys()].some((e) => !received.has(e)) && Date.now() < end)
    await new Promise((r) => setTimeout(r, 20));
  const latencies = [...sent].map(([e, t]) => (received.get(e) ?? Infinity) - t).sort((a, b) => a - b);
  const first = Math.min(...sent.values());
  const last = Math.max(...[...sent.keys()].map((e) => received.get(e) ?? Infinity));
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    rate: N / ((last - first) / 1000),
    p50: pct(0.5),
    p99: pct(0.99),
    lost: latencies.filter((l) => l === Infinity).length,
  };
}

async function clearEndpoints(base: string) {
  for (const e of (await api(base, 'GET', '/v1/webhook_endpoints?limit=100')).data)
    await api(base, 'DELETE', `/v1/webhook_endpoints/${e.id}`);
}

async function passThrough(
  base: string,
  received: Map<string, number>,
  sinkUrl: string,
  driver: Driver['kind'],
) {
  const sink = httpSink({ url: sinkUrl, secret: SECRET });
  let secret = '';
  const listener = await listenWebhooks({
    secrets: () => [secret],
    route: () => ['bench'],
    inbox: {
      put: async (trigger, events) => {
        for (const event of events) {
          const d = { id: deliveryId(trigger, event.id), handle: 0, trigger, seq: 0, event, attempts: 0 };
          // Sent until acknowledged, so the baseline loses nothing either (a few tries at most).
          for (let i = 0; i < 5 && (await sink.send(sinkMessage(d))).kind !== 'ack'; i++);
        }
        return { inserted: events.map((e) => e.id) };
      },
    },
  });
  secret = (
    await api(base, 'POST', '/v1/webhook_endpoints', {
      url: listener.url,
      'enabled_events[]': 'customer.created',
    })
  ).secret;
  try {
    return await measure(base, `pass${driver}`, received, {
      kind: driver,
      target: async () => ({ url: listener.url, secret }),
    });
  } finally {
    await listener.close();
    await clearEndpoints(base);
  }
}

async function durable(
  base: string,
  received: Map<string, number>,
  sinkUrl: string,
  mode: 'ordered' | 'parallel',
  driver: Driver['kind'],
) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-triggers-'));
  const store = await openStore({ dataDir: dir });
  const catalog = loadCatalog();
  const gateway = createGateway({ apiKey: KEY, baseUrl: base, apiVersion: catalog.apiVersion });
  await new TriggerService(store, catalog).add({
    name: 'bench',
    source: 'webhook',
    events: ['customer.created'],
    interval: '1h',
    sink: sinkUrl,
    sinkSecret: 'env:BENCH_SINK_SECRET',
    rateLimit: 100_000,
    ...(mode === 'parallel' ? { delivery: { mode: 'parallel', concurrency: 64 } } : {}),
  });
  const port = await freePort();
  const stop = new AbortController();
  const { services } = await triggerServices({
    store,
    ctx: { catalog, gateway },
    listen: { host: '127.0.0.1', port },
    publicUrl: `http://127.0.0.1:${port}/`,
    env: { BENCH_SINK_SECRET: SECRET },
    idleMs: 50,
  });
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => (started = r));
  const running = runUntilSignal(services, { signal: stop.signal, onStarted: () => started(), signals: [] });
  await ready;
  try {
    const target = async () => {
      const [endpoint] = (await api(base, 'GET', '/v1/webhook_endpoints?limit=1')).data;
      return {
        url: `http://127.0.0.1:${port}/`,
        secret: (await store.kv.get<string>(`endpoint-secret:${endpoint.id}`)) as string,
      };
    };
    return await measure(base, `${mode}${driver}`, received, { kind: driver, target });
  } finally {
    stop.abort();
    await running;
    await clearEndpoints(base);
    await gateway.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const port = await freePort();
  const emulator = await startEmulatorProcess(port);
  const base = `http://127.0.0.1:${port}`;
  const received = new Map<string, number>();
  const sink = await startSink(received);
  try {
    const row = (name: string, r: Awaited<ReturnType<typeof measure>>, pass: typeof r) =>
      `${name.padEnd(30)} ${r.rate.toFixed(0).padStart(6)} events/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ${(r.rate / pass.rate).toFixed(2)}× pass-through${r.lost ? `  LOST ${r.lost}` : ''}`;
    const drivers = (process.env.BENCH_DRIVER?.split(',') ?? ['emulator', 'direct']) as Driver['kind'][];
    const modes = (process.env.BENCH_MODES?.split(',') ?? ['ordered', 'parallel']) as Array<
      'ordered' | 'parallel'
    >;
    for (const driver of drivers) {
      const pass = await passThrough(base, received, sink.url, driver);
      console.log(
        `${N} events, ${driver === 'emulator' ? 'made by the emulator (API creates → its webhooks)' : 'signed webhooks posted straight to the receiver'} → store → HTTP sink, loopback`,
      );
      console.log(row('  pass-through (no store)', pass, pass));
      for (const mode of modes) {
        const r = await durable(base, received, sink.url, mode, driver);
        console.log(
          row(mode === 'ordered' ? '  durable, ordered (default)' : '  durable, parallel 64', r, pass),
        );
      }
    }
  } finally {
    sink.close();
    emulator.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
