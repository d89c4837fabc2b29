/**
 * The processes of bench/triggers.ts, each on its own event loop as deployed (the emulator is a
 * third): `sink SECRET` is the HTTP sink on loopback, verifying every delivery's Standard Webhooks
 * signature and noting, per delivery id, the time from the producer's stamp (`metadata.sent_at`,
 * ms since the epoch) to its arrival; `runner MODE EMULATOR SINK` is what is measured: MODE
 * `ordered` or `parallel` is the trigger runner (webhook listener → store → dispatcher → sink),
 * `pass` the baseline (the same listener handing each verified event straight to the sink, no
 * store). Each tells the parent over IPC when it is ready, and answers it there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { loadCatalog } from '../src/catalog/index.ts';
import { createGateway } from '../src/gateway/index.ts';
import { runUntilSignal } from '../src/lifecycle.ts';
import { openStore } from '../src/store/index.ts';
import { deliveryId } from '../src/triggers/delivery-id.ts';
import { sinkMessage } from '../src/triggers/message.ts';
import { triggerServices } from '../src/triggers/runner.ts';
import { TriggerService } from '../src/triggers/service.ts';
import { httpSink } from '../src/triggers/sinks/http.ts';
import { listenWebhooks } from '../src/triggers/sources/listener.ts';
import { freePort } from '../test/triggers/support/processes.ts';

export const BENCH_KEY = 'sk_test_bench';
export const now = () => performance.timeOrigin + performance.now();

const [role, ...args] = process.argv.slice(2);
const reply = (message: unknown) => process.send?.(message);

async function sink(secret: string) {
  const verifier = new Webhook(secret);
  // Per run (the tag the producer puts in each customer's email): first arrival of each delivery
  // id, how late, and how many arrived again (at least once: a redelivery keeps its id).
  const runs = new Map<string, { latencies: Map<string, number>; again: number; last: number }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = now();
      const msg = verifier.verify(
        Buffer.concat(chunks).toString(),
        req.headers as Record<string, string>,
      ) as {
        id: string;
        data: { email: string; metadata: { sent_at: string } };
      };
      const tag = msg.data.email.split('@')[0];
      let run = runs.get(tag);
      if (!run) runs.set(tag, (run = { latencies: new Map(), again: 0, last: 0 }));
      if (run.latencies.has(msg.id)) run.again++;
      else run.latencies.set(msg.id, at - Number(msg.data.metadata.sent_at));
      run.last = at;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  process.on('message', (m: { cmd: string; tag: string }) => {
    if (m.cmd === 'exit') process.exit(0);
    const run = runs.get(m.tag);
    const count = run?.latencies.size ?? 0;
    if (m.cmd === 'count') reply({ count });
    if (m.cmd === 'report')
      reply({
        count,
        again: run?.again ?? 0,
        last: run?.last ?? 0,
        latencies: [...(run?.latencies.values() ?? [])],
      });
  });
  reply({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
}

/** A webhook endpoint on the emulator for `url`; its signing secret. */
async function endpointSecretFor(base: string, url: string): Promise<string> {
  const res = await fetch(`${base}/v1/webhook_endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ url, 'enabled_events[]': 'customer.created' }),
  });
  return ((await res.json()) as { secret: string }).secret;
}

async function passThrough(base: string, sinkUrl: string, secret: string) {
  const sink = httpSink({ url: sinkUrl, secret });
  let endpointSecret = '';
  const listener = await listenWebhooks({
    secrets: () => [endpointSecret],
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
  endpointSecret = await endpointSecretFor(base, listener.url);
  // The endpoint goes with the emulator, which every measurement starts anew.
  return async () => {
    await listener.close();
    await sink.close();
  };
}

async function durable(mode: 'ordered' | 'parallel', base: string, sinkUrl: string, secret: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-triggers-'));
  const store = await openStore({ dataDir: dir });
  const catalog = loadCatalog();
  const gateway = createGateway({ apiKey: BENCH_KEY, baseUrl: base, apiVersion: catalog.apiVersion });
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
    env: { BENCH_SINK_SECRET: secret },
    idleMs: 50,
  });
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => (started = r));
  const running = runUntilSignal(services, { signal: stop.signal, onStarted: () => started(), signals: [] });
  await ready;
  return async () => {
    stop.abort();
    await running;
    await gateway.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
}

if (role === 'sink') await sink(args[0]);
if (role === 'runner') {
  const [mode, base, sinkUrl, secret] = args;
  const close =
    mode === 'pass'
      ? await passThrough(base, sinkUrl, secret)
      : await durable(mode as 'ordered' | 'parallel', base, sinkUrl, secret);
  const cpuAtReady = process.cpuUsage();
  process.on('message', (m: { cmd: string }) => {
    // The CPU it took (user + system, ms) from ready to now: what each event costs the runner.
    if (m.cmd === 'stop') {
      const { user, system } = process.cpuUsage(cpuAtReady);
      void close().then(() => reply({ cpuMs: (user + system) / 1000 }));
    }
    // An exit of its own (not a kill), so that a --cpu-prof profile gets written.
    if (m.cmd === 'exit') process.exit(0);
  });
  reply({ ready: true });
}
// The parent going away ends the child (no orphans after a failed run).
if (process.send) process.on('disconnect', () => process.exit(0));
