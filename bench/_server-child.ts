/**
 * A process for bench/server.ts: `emulator` starts the emulator with customers, `server URL` starts
 * the HTTP server on a connection to it, on the embedded store (SQLite) in a temporary folder. Prints one JSON line (url, token or a customer id), then
 * runs until its stdin closes. Separate processes, as deployed: the server's CPU is not the client's.
 */
import { startEmulator } from '../src/emulator/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, startServer } from '../src/server/index.ts';
import { storePorts } from '../src/server/store-ports.ts';
import { openStore } from '../src/store/index.ts';

const [role, target] = process.argv.slice(2);
const THROTTLE = { tps: 10_000, burst: 10_000 };
let close: () => Promise<void>;
if (role === 'emulator') {
  const emulator = await startEmulator({ port: 0 });
  const customers = Array.from({ length: 200 }, (_, i) => ({
    email: `bench${i}@example.com`,
    name: `Bench ${i}`,
  }));
  emulator.load('customer', customers);
  const latency = Number(process.env.LATENCY_MS ?? 0);
  emulator.setConditions({ latency: { ms: latency } });
  process.stdout.write(
    JSON.stringify({ url: emulator.url, id: (customers[0] as { id?: string }).id }) + '\n',
  );
  close = () => emulator.close();
} else {
  // The embedded store, as `serve` and `npm start` run: token checks are store reads.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-server-'));
  const store = await openStore({ dataDir });
  const server = await startServer({
    port: 0,
    ports: storePorts(store),
    config: {
      connections: [{ name: 'bench', apiKey: 'env:BENCH_KEY', baseUrl: target, throttle: THROTTLE }],
      limits: { bodyBytes: 1024 * 1024, rateLimit: { max: 10_000_000, windowMs: 60_000 } },
    },
    env: { BENCH_KEY: 'sk_test_bench' },
    log: { level: 'warn' },
  });
  const { token } = await issueToken(server.ports.tokens, { scopes: ['read'] });
  process.stdout.write(JSON.stringify({ url: server.url, token }) + '\n');
  close = async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
process.stdin.resume();
process.stdin.on('end', () => void close().then(() => process.exit(0)));
