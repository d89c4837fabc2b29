/**
 * Triggers end to end, each part in its own process as deployed: the emulator makes
 * `customer.created` events (`POST /_emulator/events` with a `count`, offered at a fixed rate) and
 * sends each as a signed webhook to the runner, whose listener stores it (inbox + delivery, group
 * committed, durable before the 2xx); its dispatcher sends it, Standard-Webhooks signed, to an HTTP
 * sink on loopback that verifies the signature. Against a pass-through baseline in the same run: the
 * same listener handing each verified event straight to the same sink, no store.
 * Each event carries the time it was offered (`metadata.sent_at`); latency = offered → at the sink.
 * Events/s = events / (last arrival − first offer): the offered rate while the runner keeps up.
 *   npm run bench -- triggers   (BENCH_RATE=events/s, 2000; BENCH_EVENTS=n, 10000; BENCH_QUICK=1;
 *                                BENCH_MODES=ordered,parallel; BENCH_PROF=DIR)
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_KEY, now } from './_triggers-child.ts';
import { freePort } from '../test/triggers/support/processes.ts';

const QUICK = !!process.env.BENCH_QUICK;
const N = Number(process.env.BENCH_EVENTS ?? (QUICK ? 1000 : 10_000));
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const WARM = Math.min(N, RATE);
/** One batch per tick; a tick's events share their offer time. */
const TICK_MS = 10;
/** BENCH_PROF=DIR: every process writes a CPU profile into DIR (node --cpu-prof). */
const PROF = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
const SECRET = 'whsec_' + Buffer.from('bench-sink-secret-0123456789').toString('base64');

async function startEmulatorProcess(port: number) {
  const bin = new URL('../bin/stripe-connector.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [...PROF, bin, 'emulator', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => /listening/.test(d.toString()) && resolve()),
  );
  return child;
}

function child(...args: string[]): ChildProcess {
  return fork(fileURLToPath(new URL('_triggers-child.ts', import.meta.url)), args, {
    execArgv: ['--import', 'tsx', ...PROF],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function ask<T>(proc: ChildProcess, cmd?: string, tag?: string): Promise<T> {
  return new Promise((resolve) => {
    proc.once('message', (m) => resolve(m as T));
    if (cmd) proc.send({ cmd, tag });
  });
}

/** Lets a child end itself (its profile written), killing it only if it does not within 5 s. */
async function exit(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.send({ cmd: 'exit' });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Offers `n` events at RATE, one batch per tick, never more than a tick behind its schedule. */
async function offer(base: string, tag: string, n: number): Promise<number> {
  const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
  const first = now();
  const inflight = new Set<Promise<void>>();
  for (let sent = 0, tick = 0; sent < n; tick++) {
    const due = first + tick * TICK_MS;
    if (due > now()) await new Promise((r) => setTimeout(r, due - now()));
    const count = Math.min(perTick, n - sent);
    sent += count;
    const body = JSON.stringify({
      type: 'customer.created',
      object: { email: `${tag}@bench.test`, metadata: { sent_at: String(now()) } },
      count,
    });
    const p = fetch(`${base}/_emulator/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' },
      body,
    }).then(async (res) => {
      if (!res.ok) throw new Error(`the emulator refused a batch: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    // The emulator answering slower than the schedule: wait for it rather than pile requests up.
    if (inflight.size > 4) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return first;
}

/**
 * One mode, on an emulator of its own: one that kept every earlier measurement's events in memory
 * would collect a bigger heap each time, and its pauses would show in the later modes' latency.
 */
async function measure(sink: ChildProcess, mode: string, sinkUrl: string) {
  const port = await freePort();
  const emulator = await startEmulatorProcess(port);
  const base = `http://127.0.0.1:${port}`;
  const runner = child('runner', mode, base, sinkUrl, SECRET);
  await ask(runner);
  const delivered = async (tag: string, n: number) => {
    const end = Date.now() + 120_000;
    while ((await ask<{ count: number }>(sink, 'count', tag)).count < n && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    return ask<{ count: number; again: number; last: number; latencies: number[] }>(sink, 'report', tag);
  };
  try {
    // A second's worth first, not counted: connections opened, code compiled, as in a running service.
    await offer(base, `${mode}-warm`, WARM);
    await delivered(`${mode}-warm`, WARM);
    const first = await offer(base, mode, N);
    const { count, again, last, latencies } = await delivered(mode, N);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    const { cpuMs } = await ask<{ cpuMs: number }>(runner, 'stop');
    return {
      rate: count / ((last - first) / 1000),
      p50: pct(0.5),
      p99: pct(0.99),
      lost: N - count,
      again,
      cpuPerEvent: cpuMs / (N + WARM),
    };
  } finally {
    await exit(runner);
    const exited = new Promise((r) => emulator.once('exit', r));
    emulator.kill('SIGTERM');
    await exited;
  }
}

export async function run(): Promise<void> {
  const sink = child('sink', SECRET);
  const { url: sinkUrl } = await ask<{ url: string }>(sink);
  try {
    const row = (name: string, r: Awaited<ReturnType<typeof measure>>, pass: typeof r) =>
      `${name.padEnd(30)} ${r.rate.toFixed(0).padStart(6)} events/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ${(r.rate / pass.rate).toFixed(2)}× pass-through  runner CPU ${(r.cpuPerEvent * 1000).toFixed(0)} µs/event${r.again ? `  ${r.again} sent again (same id)` : ''}${r.lost ? `  LOST ${r.lost}` : ''}`;
    const modes = process.env.BENCH_MODES?.split(',') ?? ['ordered', 'parallel'];
    const pass = await measure(sink, 'pass', sinkUrl);
    console.log(
      `${N} events offered at ${RATE}/s by the emulator (its webhooks) → runner (its own process) → HTTP sink (its own process), loopback`,
    );
    console.log(row('  pass-through (no store)', pass, pass));
    for (const mode of modes) {
      const r = await measure(sink, mode, sinkUrl);
      console.log(
        row(mode === 'ordered' ? '  durable, ordered (default)' : '  durable, parallel 64', r, pass),
      );
    }
  } finally {
    await exit(sink);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
