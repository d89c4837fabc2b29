/**
 * Several proxy addresses (the seed's "proxy server host addresses") with real proxies (proxy-chain)
 * on 127.0.0.1: an address that refuses the connection, or accepts it and never answers, is
 * skipped for the next one within the same attempt, and the gateway stays on the address that
 * works. A 407 is a configuration error and is not failed over.
 */
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Server as ProxyServer, type PrepareRequestFunctionOpts } from 'proxy-chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnection } from '../../src/connection/load.ts';
import { createGatewayFromConnection } from '../../src/gateway/index.ts';
import { json, startScripted } from './helpers/scripted-server.ts';
import { makeCert, type TestCert } from './helpers/tls.ts';

const PW = 'fail0ver-Secret';
const env = { STRIPE_API_KEY: 'sk_test_failoverkey', PROXY_PW: PW };
const ACCOUNT = { id: 'acct_failover', object: 'account' };

interface Seen {
  isHttp: boolean;
  hostname: string;
}

async function startProxy(password = PW) {
  const seen: Seen[] = [];
  const server = new ProxyServer({
    port: 0,
    host: '127.0.0.1',
    prepareRequestFunction: (o: PrepareRequestFunctionOpts) => {
      seen.push({ isHttp: o.isHttp, hostname: o.hostname });
      return { requestAuthentication: o.username !== 'alice' || o.password !== password };
    },
  } as any);
  await server.listen();
  return { url: `http://127.0.0.1:${server.port}`, seen, close: () => server.close(true) };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Accepts TCP connections and never answers: a proxy that hangs on CONNECT. */
async function startSilent() {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

let target: Awaited<ReturnType<typeof startScripted>>;
let good: Awaited<ReturnType<typeof startProxy>>;
let other: Awaited<ReturnType<typeof startProxy>>;
let dead: string;
let cert: TestCert | undefined;
let httpsTarget: { url: string; close: () => void } | undefined;

beforeAll(async () => {
  target = await startScripted((_q, res) => json(res, ACCOUNT));
  good = await startProxy();
  // Up and answering, but with another password: a 407 for our credentials.
  other = await startProxy('another-password');
  dead = `http://127.0.0.1:${await closedPort()}`;
  cert = makeCert();
  if (cert) {
    const server = createHttpsServer({ key: cert.key, cert: cert.cert }, (_req, res) => json(res, ACCOUNT));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    httpsTarget = {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => server.close(),
    };
  }
});
afterAll(async () => {
  await target.close();
  await good.close();
  await other.close();
  httpsTarget?.close();
});

function gatewayVia(
  urls: string[],
  options: { baseUrl?: string; verbosity?: number; proxy?: Record<string, unknown> } = {},
) {
  const lines: string[] = [];
  const connection = parseConnection(
    {
      name: 'failover',
      baseUrl: options.baseUrl ?? target.url,
      ...(cert ? { caFile: cert.certFile } : {}),
      throttle: { maxRetries: 0 },
      logging: { verbosity: options.verbosity ?? 3 },
      proxy: {
        enabled: true,
        url: urls,
        authScheme: 'BASIC',
        user: 'alice',
        password: 'env:PROXY_PW',
        ...options.proxy,
      },
    },
    { env },
  );
  const gateway = createGatewayFromConnection(connection, { logSink: (l) => lines.push(l) });
  return { gateway, lines };
}

const account = { method: 'GET' as const, path: '/v1/account' };

describe('proxy failover', () => {
  it('a forwarded http request skips a refusing address, logs it, and stays on the working one', async () => {
    const before = good.seen.length;
    const { gateway, lines } = gatewayVia([dead, good.url]);
    try {
      expect(await gateway.request(account)).toEqual(ACCOUNT);
      expect(await gateway.request(account)).toEqual(ACCOUNT);
      expect(await gateway.request({ ...account, path: '/v1/customers' })).toEqual(ACCOUNT);
      expect(gateway.stats).toMatchObject({
        requests: 3,
        succeeded: 3,
        attempts: 3,
        retries: 0,
        proxyFailovers: 1,
      });
    } finally {
      await gateway.close();
    }
    const seen = good.seen.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.isHttp)).toBe(true);
    const log = lines.join('\n');
    expect(log).toContain(`proxy ${dead}, then ${good.url} (BASIC, sslType AUTO → forward)`);
    expect(log).toContain(
      `proxy ${dead} is unreachable (ECONNREFUSED) for GET /v1/account; trying ${good.url}`,
    );
    expect(lines.filter((l) => l.includes('is unreachable'))).toHaveLength(1);
    for (const secret of [PW, env.STRIPE_API_KEY, Buffer.from(`alice:${PW}`).toString('base64')]) {
      expect(log).not.toContain(secret);
    }
  });

  it.skipIf(!makeCert())('a CONNECT tunnel to an https target fails over the same way', async () => {
    const before = good.seen.length;
    const { gateway, lines } = gatewayVia([dead, good.url], { baseUrl: httpsTarget!.url });
    try {
      expect(await gateway.request(account)).toEqual(ACCOUNT);
      expect(await gateway.request(account)).toEqual(ACCOUNT);
      expect(gateway.stats?.proxyFailovers).toBe(1);
    } finally {
      await gateway.close();
    }
    const seen = good.seen.slice(before);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => !s.isHttp && s.hostname === '127.0.0.1')).toBe(true);
    expect(lines.join('\n')).toContain(`proxy ${dead} is unreachable (ECONNREFUSED)`);
  });

  it('an address that accepts and never answers is left after connectTimeoutMs', async () => {
    const silent = await startSilent();
    const { gateway, lines } = gatewayVia([silent.url, good.url], {
      proxy: { sslType: 'TUNNEL', connectTimeoutMs: 200 },
    });
    try {
      const started = performance.now();
      expect(await gateway.request(account)).toEqual(ACCOUNT);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(gateway.stats?.proxyFailovers).toBe(1);
    } finally {
      await gateway.close();
      silent.close();
    }
    expect(lines.join('\n')).toContain(`proxy ${silent.url} is unreachable (EPROXYCONNECTTIMEOUT)`);
  });

  it('a 407 is a configuration error: not failed over, named clearly', async () => {
    for (const sslType of ['AUTO', 'TUNNEL']) {
      const before = good.seen.length;
      const { gateway } = gatewayVia([other.url, good.url], { proxy: { sslType } });
      const err = await gateway.request(account).catch((e) => e);
      await gateway.close();
      expect(err.code).toBe('PROXY_AUTH_FAILED');
      expect(err.message).toBe(
        `proxy ${other.url} rejected the credentials (407 Proxy Authentication Required) for GET /v1/account`,
      );
      expect(gateway.stats?.proxyFailovers).toBe(0);
      expect(good.seen.length).toBe(before);
    }
  });

  it('when every address is unreachable: PROXY_FAILED naming each; quiet below verbosity 3', async () => {
    const dead2 = `http://127.0.0.1:${await closedPort()}`;
    const { gateway, lines } = gatewayVia([dead, dead2], { verbosity: 2 });
    const err = await gateway.request(account).catch((e) => e);
    await gateway.close();
    expect(err.code).toBe('PROXY_FAILED');
    expect(err.message).toBe(
      `GET /v1/account: no proxy is reachable: ${dead} (ECONNREFUSED), ${dead2} (ECONNREFUSED)`,
    );
    expect(gateway.stats).toMatchObject({ attempts: 1, failed: 1, proxyFailovers: 1 });
    expect(lines.some((l) => l.includes('is unreachable'))).toBe(false);
  });
});
