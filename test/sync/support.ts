/** Shared fixtures of the mirror's tests: an emulator with bulk-loaded objects, targets on both dialects. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadCatalog } from '../../src/catalog/index.ts';
import type { ConnectorContext } from '../../src/context.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { openTarget } from '../../src/sync/target.ts';

const URL_FILE = new URL('../../.tmp/pg-url', import.meta.url);
export const PG_BASE =
  process.env.STRIPE_CONNECTOR_TEST_PG ??
  (existsSync(URL_FILE)
    ? readFileSync(URL_FILE, 'utf8').trim()
    : 'postgres://postgres@127.0.0.1:54329/connector_test');

/** Why PostgreSQL tests are skipped, or undefined when the server answers. */
export async function pgUnreachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL not reachable at ${PG_BASE.replace(/:[^:@/]+@/, ':***@')} (${(err as Error).message}); run .ci/setup-services.sh`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh target URL of a dialect: a temp SQLite file, or a PostgreSQL schema of its own. */
export function freshTarget(dialect: 'sqlite' | 'postgres'): string {
  if (dialect === 'sqlite') return `sqlite:${join(mkdtempSync(join(tmpdir(), 'sync-')), 'mirror.db')}`;
  const schema = `sync_${process.pid}_${randomBytes(3).toString('hex')}`;
  return `${PG_BASE}${PG_BASE.includes('?') ? '&' : '?'}schema=${schema}`;
}

export async function dropTarget(url: string): Promise<void> {
  const schema = url.match(/schema=([a-z0-9_]+)/)?.[1];
  if (!url.startsWith('postgres') || !schema) return;
  const client = new pg.Client({ connectionString: PG_BASE });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

export function contextFor(emulator: Emulator, opts: { tps?: number } = {}): ConnectorContext {
  const catalog = loadCatalog();
  const gateway = createGateway({
    apiKey: 'sk_test_sync',
    baseUrl: emulator.url,
    apiVersion: catalog.apiVersion,
    throttle: { tps: opts.tps ?? 10_000, burst: opts.tps ?? 1000 },
  });
  return { catalog, gateway };
}

/** The 5 entities and how many of each the big fixture loads (20,000 in all). */
export const FIXTURE = {
  customer: 8000,
  product: 3000,
  price: 3000,
  invoice: 3000,
  payment_intent: 3000,
} as const;
export const ENTITIES = ['Customer', 'Product', 'Price', 'Invoice', 'PaymentIntent'];

/** Bulk-loads the fixture, spread over the last 60 days; returns the ids per resource. */
export function loadFixture(emulator: Emulator, account?: string, scale = 1): Record<string, string[]> {
  const now = Math.floor(Date.now() / 1000);
  const ids: Record<string, string[]> = {};
  const prefix = { customer: 'cus', product: 'prod', price: 'price', invoice: 'in', payment_intent: 'pi' };
  const tag = account ? account.slice(5, 11) : 'p';
  for (const [resource, count] of Object.entries(FIXTURE)) {
    const n = Math.round(count * scale);
    const objects = Array.from({ length: n }, (_, i) => ({
      id: `${prefix[resource as keyof typeof prefix]}_${tag}${i.toString().padStart(6, '0')}`,
      created: now - 120 - Math.floor((i * 60 * 86400) / n),
      metadata: { i: String(i) },
      ...(resource === 'customer' ? { email: `c${i}@example.com` } : {}),
      ...(resource === 'price' ? { currency: 'usd', unit_amount: i } : {}),
      ...(resource === 'payment_intent' ? { amount: 100 + i, currency: 'usd' } : {}),
    }));
    emulator.load(resource, objects, account ? { account } : {});
    ids[resource] = objects.map((o) => o.id);
  }
  return ids;
}

/** Ids in a table, sorted, and how many rows it holds (a duplicate would make them differ). */
export async function tableIds(
  url: string,
  table: string,
  account = '',
): Promise<{ ids: string[]; rows: number }> {
  const target = await openTarget(url);
  try {
    const rows = await target.db.selectFrom(table).select('id').where('_account', '=', account).execute();
    return { ids: rows.map((r: any) => String(r.id)).sort(), rows: rows.length };
  } finally {
    await target.close();
  }
}

/**
 * A proxy in front of the emulator that answers every request for `path` the way Stripe refuses
 * one (400, invalid_request_error, not to be retried) and forwards the rest unchanged.
 */
export async function refusingProxy(
  target: string,
  path: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === path) {
      const body = JSON.stringify({
        error: { type: 'invalid_request_error', message: 'Prices are unavailable for this account.' },
      });
      res.writeHead(400, { 'Content-Type': 'application/json', 'Stripe-Should-Retry': 'false' });
      res.end(body);
      return;
    }
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
