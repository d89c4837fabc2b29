/**
 * Gateway benchmark: the emulator limits each key to 25 requests/s and answers after 20 ms; 8
 * concurrent callers run 2,000 mixed operations (create / retrieve / update / list customers).
 * The gateway (default throttle for a test key) is measured beside the raw SDK at its defaults,
 * both at once on separate keys (the limit is per key), so the run takes as long as one of them.
 * Reports throughput as a fraction of the limit (goal ≥ 0.95) with zero failed operations, and how
 * many operations the raw SDK lost to 429s. BENCH_QUICK=1: 200 operations.
 */
import Stripe from 'stripe';
import { startEmulator } from '../src/emulator/index.ts';
import { createGateway, type Gateway } from '../src/gateway/index.ts';

const LIMIT = 25;
const CALLERS = 8;

type Op = (n: number) => Promise<unknown>;

interface Outcome {
  ok: number;
  failed: number;
  rateLimited: number;
  otherErrors: Record<string, number>;
  seconds: number;
}

/** The same mixed workload over any client: 30% create, 40% retrieve, 20% update, 10% list. */
async function workload(
  total: number,
  ops: {
    create: Op;
    retrieve: (id: string) => Promise<unknown>;
    update: (id: string, n: number) => Promise<unknown>;
    list: () => Promise<unknown>;
  },
): Promise<Outcome> {
  const out: Outcome = { ok: 0, failed: 0, rateLimited: 0, otherErrors: {}, seconds: 0 };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      const ids: string[] = [];
      for (let n = next++; n < total; n = next++) {
        const kind = n % 10;
        try {
          if (kind < 3 || !ids.length) {
            const c = (await ops.create(n)) as { id: string };
            ids.push(c.id);
          } else if (kind < 7) await ops.retrieve(ids[n % ids.length]);
          else if (kind < 9) await ops.update(ids[n % ids.length], n);
          else await ops.list();
          out.ok++;
        } catch (error) {
          out.failed++;
          const e = error as { statusCode?: number; code?: string; type?: string };
          if (e.statusCode === 429 || e.code === 'STRIPE_RATE_LIMITED' || e.code === 'rate_limit')
            out.rateLimited++;
          else {
            const key = String(e.code ?? e.type ?? 'error');
            out.otherErrors[key] = (out.otherErrors[key] ?? 0) + 1;
          }
        }
      }
    }),
  );
  out.seconds = (performance.now() - started) / 1000;
  return out;
}

function gatewayOps(g: Gateway) {
  return {
    create: (n: number) =>
      g.request({
        method: 'POST',
        path: '/v1/customers',
        params: { name: `bench ${n}`, email: `b${n}@example.com` },
      }),
    retrieve: (id: string) => g.request({ method: 'GET', path: `/v1/customers/${id}` }),
    update: (id: string, n: number) =>
      g.request({ method: 'POST', path: `/v1/customers/${id}`, params: { metadata: { n: String(n) } } }),
    list: () => g.request({ method: 'GET', path: '/v1/customers', params: { limit: 3 } }),
  };
}

function sdkOps(stripe: Stripe) {
  return {
    create: (n: number) => stripe.customers.create({ name: `bench ${n}`, email: `b${n}@example.com` }),
    retrieve: (id: string) => stripe.customers.retrieve(id),
    update: (id: string, n: number) => stripe.customers.update(id, { metadata: { n: String(n) } }),
    list: () => stripe.customers.list({ limit: 3 }),
  };
}

export async function run(): Promise<void> {
  const total = process.env.BENCH_QUICK ? 200 : 2000;
  const emulator = await startEmulator({ port: 0, rateLimit: LIMIT, latency: { ms: 20 }, randomSeed: 11 });
  const base = new URL(emulator.url);
  try {
    const gateway = createGateway({
      apiKey: 'sk_test_benchGateway',
      baseUrl: emulator.url,
      logging: { enabled: false },
    });
    const stripe = new Stripe('sk_test_benchRawSdk', {
      host: base.hostname,
      port: Number(base.port),
      protocol: 'http',
      telemetry: false,
    });
    const [gw, raw] = await Promise.all([
      workload(total, gatewayOps(gateway)),
      workload(total, sdkOps(stripe)),
    ]);
    const stats = gateway.stats!;
    await gateway.close();

    const rate = (o: Outcome) => o.ok / o.seconds;
    const rows = [
      ['', 'gateway (default throttle)', 'raw SDK (defaults)'],
      ['operations', String(total), String(total)],
      ['succeeded', String(gw.ok), String(raw.ok)],
      ['failed', String(gw.failed), String(raw.failed)],
      ['lost to 429', String(gw.rateLimited), String(raw.rateLimited)],
      ['seconds', gw.seconds.toFixed(1), raw.seconds.toFixed(1)],
      ['ok ops/s', rate(gw).toFixed(2), rate(raw).toFixed(2)],
      ['fraction of 25/s limit', (rate(gw) / LIMIT).toFixed(3), (rate(raw) / LIMIT).toFixed(3)],
    ];
    for (const r of rows) console.log(`${r[0].padEnd(24)} ${r[1].padEnd(28)} ${r[2]}`);
    console.log(
      `gateway: ${stats.attempts} attempts, ${stats.retries} retries, ${stats.rateLimited} 429s seen, ${stats.throttledWaits} throttle waits (${(stats.throttledMs / 1000).toFixed(1)} s)`,
    );
    if (Object.keys(gw.otherErrors).length || Object.keys(raw.otherErrors).length) {
      console.log(
        `other errors: gateway ${JSON.stringify(gw.otherErrors)}, raw SDK ${JSON.stringify(raw.otherErrors)}`,
      );
    }
    const goal = rate(gw) / LIMIT >= 0.95 && gw.failed === 0;
    console.log(`goal (≥ 0.95 of the limit, zero failures): ${goal ? 'met' : 'NOT met'}`);
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
