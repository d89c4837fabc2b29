/**
 * The HTTP server's overhead: Get and List (10 rows) through the server (real HTTP, keep-alive,
 * token auth, JSON serialisation) vs the library calling the same emulator directly, in the same
 * run and with the same concurrency. The emulator and the server each run in their own process
 * (as deployed), the library and the HTTP client in this one. Goal: p50 ≤ 1.10× the library's, throughput ≥ 0.9×.
 * The emulator answers after LATENCY_MS (default 20 ms; Stripe itself takes longer), then again
 * with no latency at all, where the server's own cost is laid bare.
 * BENCH_QUICK=1: fewer requests.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/catalog/index.ts';
import { createGateway } from '../src/gateway/index.ts';
import { getEntity } from '../src/entities/index.ts';
import { collect } from '../src/query/index.ts';

const CONCURRENCY = 8;
const THROTTLE = { tps: 10_000, burst: 10_000 };

interface Figures {
  p50: number;
  p99: number;
  rps: number;
}

async function measure(total: number, call: () => Promise<unknown>): Promise<Figures> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < total) {
        const t = performance.now();
        await call();
        times.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p99: at(0.99), rps: times.length / elapsed };
}

const fmt = (f: Figures) =>
  `p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, ${f.rps.toFixed(0)} req/s`;

/** Starts a child process (bench/_server-child.ts) and reads its one JSON line. */
async function child(args: string[], env: Record<string, string>): Promise<{ info: any; stop: () => void }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('_server-child.ts', import.meta.url)), ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: proc.stdout! }), 'line')) as [string];
  return { info: JSON.parse(line), stop: () => proc.stdin!.end() };
}

/** GET with a kept-alive socket, as the SDK does towards Stripe. */
function getter(base: string, headers: Record<string, string>) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return (path: string) =>
    new Promise<unknown>((resolve, reject) => {
      request(`${base}${path}`, { agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      })
        .on('error', reject)
        .end();
    });
}

export async function run(): Promise<void> {
  const total = process.env.BENCH_QUICK === '1' ? 300 : 1500;
  for (const latency of [Number(process.env.LATENCY_MS ?? 20), 0]) {
    const emulator = await child(['emulator'], { LATENCY_MS: String(latency) });
    const server = await child(['server', emulator.info.url], {});
    const id: string = emulator.info.id;
    const ctx = {
      catalog: loadCatalog(),
      gateway: createGateway({ apiKey: 'sk_test_bench', baseUrl: emulator.info.url, throttle: THROTTLE }),
    };
    const http = getter(server.info.url, { authorization: `Bearer ${server.info.token}` });
    const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      [
        'Get',
        () => getEntity(ctx, 'Customer', id),
        () => http(`/api/connections/bench/entities/Customer/${id}`),
      ],
      [
        'List 10',
        () => collect(ctx, { entity: 'Customer', limit: 10 }),
        () => http('/api/connections/bench/entities/Customer?limit=10'),
      ],
    ];
    try {
      for (const [name, library, viaServer] of cases) {
        await measure(100, library);
        await measure(100, viaServer);
        const lib = await measure(total, library);
        const srv = await measure(total, viaServer);
        console.log(
          `${name} (emulator latency ${latency} ms, ${total} requests, concurrency ${CONCURRENCY}):\n` +
            `  library ${fmt(lib)}\n  server  ${fmt(srv)}\n` +
            `  ratio: p50 ${(srv.p50 / lib.p50).toFixed(3)}× (goal ≤ 1.10), p99 ${(srv.p99 / lib.p99).toFixed(3)}×, throughput ${(srv.rps / lib.rps).toFixed(3)}× (goal ≥ 0.90)`,
        );
      }
    } finally {
      await ctx.gateway.close();
      server.stop();
      emulator.stop();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
