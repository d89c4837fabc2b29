/**
 * Through a real proxy server (proxy-chain, a maintained Node proxy) on 127.0.0.1: BASIC auth, a
 * wrong password, an unreachable proxy, and what each sslType does on the wire (forward request
 * or CONNECT tunnel, TLS to the proxy or not).
 */
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as ProxyServer, type PrepareRequestFunctionOpts } from 'proxy-chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnection } from '../../src/connection/load.ts';
import { createGatewayFromConnection } from '../../src/gateway/index.ts';
import { json, startScripted } from './helpers/scripted-server.ts';
import { makeCert, type TestCert } from './helpers/tls.ts';

const env = { STRIPE_API_KEY: 'sk_test_proxykey', PROXY_PW: 's3cret-pw', BAD_PW: 'wrong-pw' };
const ACCOUNT = { id: 'acct_proxy', object: 'account' };

interface Seen {
  isHttp: boolean;
  hostname: string;
  port: number;
  username: string;
}

async function startProxy(options: { https?: TestCert } = {}) {
  const seen: Seen[] = [];
  const server = new ProxyServer({
    port: 0,
    host: '127.0.0.1',
    ...(options.https
      ? { serverType: 'https' as const, httpsOptions: { key: options.https.key, cert: options.https.cert } }
      : {}),
    prepareRequestFunction: ({ isHttp, hostname, port, username, password }: PrepareRequestFunctionOpts) => {
      seen.push({ isHttp, hostname, port, username });
      return { requestAuthentication: username !== 'alice' || password !== 's3cret-pw' };
    },
  } as any);
  await server.listen();
  return {
    url: `${options.https ? 'https' : 'http'}://127.0.0.1:${server.port}`,
    seen,
    close: () => server.close(true),
  };
}

let target: Awaited<ReturnType<typeof startScripted>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let cert: TestCert | undefined;
let httpsTarget: { url: string; close: () => void } | undefined;
let tlsProxy: Awaited<ReturnType<typeof startProxy>> | undefined;

beforeAll(async () => {
  target = await startScripted((_q, res) => json(res, ACCOUNT));
  proxy = await startProxy();
  cert = makeCert();
  if (cert) {
    const server = createHttpsServer({ key: cert.key, cert: cert.cert }, (_req, res) => json(res, ACCOUNT));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    httpsTarget = {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => server.close(),
    };
    tlsProxy = await startProxy({ https: cert });
  }
});
afterAll(async () => {
  await target.close();
  await proxy.close();
  httpsTarget?.close();
  await tlsProxy?.close();
});

function gatewayVia(
  proxyUrl: string,
  extra: Record<string, unknown> = {},
  baseUrl = target.url,
  caFile?: string,
) {
  const lines: string[] = [];
  const connection = parseConnection(
    {
      name: 'via-proxy',
      baseUrl,
      ...(caFile ? { caFile } : {}),
      throttle: { maxRetries: 0 },
      logging: { verbosity: 5 },
      proxy: {
        enabled: true,
        url: proxyUrl,
        authScheme: 'BASIC',
        user: 'alice',
        password: 'env:PROXY_PW',
        ...extra,
      },
    },
    { env },
  );
  return { gateway: createGatewayFromConnection(connection, { logSink: (l) => lines.push(l) }), lines };
}

async function viaProxy(sslType: string, baseUrl = target.url, proxyUrl = proxy.url) {
  const before = (proxyUrl === proxy.url ? proxy : tlsProxy!).seen.length;
  const { gateway, lines } = gatewayVia(proxyUrl, { sslType }, baseUrl, cert?.certFile);
  try {
    expect(await gateway.request({ method: 'GET', path: '/v1/account' })).toEqual(ACCOUNT);
  } finally {
    await gateway.close();
  }
  const seen = (proxyUrl === proxy.url ? proxy : tlsProxy!).seen.slice(before);
  for (const line of lines) expect(line).not.toContain('s3cret-pw');
  return seen;
}

describe('proxy (proxy-chain, BASIC)', () => {
  it('AUTO with an http:// target forwards the request (no tunnel)', async () => {
    const seen = await viaProxy('AUTO');
    expect(seen.every((s) => s.isHttp && s.username === 'alice')).toBe(true);
  });

  it('NEVER forwards, TUNNEL opens a CONNECT tunnel even for http://', async () => {
    expect((await viaProxy('NEVER')).every((s) => s.isHttp)).toBe(true);
    const tunnel = await viaProxy('TUNNEL');
    expect(tunnel.length).toBeGreaterThan(0);
    expect(tunnel.every((s) => !s.isHttp && s.hostname === '127.0.0.1')).toBe(true);
  });

  it.skipIf(!makeCert())(
    'AUTO with an https:// target tunnels and verifies the target with caFile',
    async () => {
      const seen = await viaProxy('AUTO', httpsTarget!.url);
      expect(seen.every((s) => !s.isHttp)).toBe(true);
    },
  );

  it.skipIf(!makeCert())(
    'ALWAYS talks TLS to the proxy; a plain proxy then fails with a TLS error',
    async () => {
      const seen = await viaProxy('ALWAYS', target.url, tlsProxy!.url);
      expect(seen.length).toBeGreaterThan(0);
      const { gateway } = gatewayVia(proxy.url, { sslType: 'ALWAYS' });
      const err = await gateway.request({ method: 'GET', path: '/v1/account' }).catch((e) => e);
      await gateway.close();
      expect(err.code).toBe('TLS_FAILED');
      expect(err.message).toMatch(/^GET \/v1\/account: TLS error \S+ via proxy https:\/\/127\.0\.0\.1:\d+/);
    },
  );

  it('a wrong password is a clear PROXY_AUTH_FAILED, forward and tunnel alike', async () => {
    for (const sslType of ['AUTO', 'TUNNEL']) {
      const { gateway, lines } = gatewayVia(proxy.url, { sslType, password: 'env:BAD_PW' });
      const err = await gateway.request({ method: 'GET', path: '/v1/account' }).catch((e) => e);
      await gateway.close();
      expect(err.code).toBe('PROXY_AUTH_FAILED');
      expect(err.message).toMatch(
        /^proxy http:\/\/127\.0\.0\.1:\d+ rejected the credentials \(407 Proxy Authentication Required\) for GET \/v1\/account$/,
      );
      expect(lines.join('\n')).not.toContain('wrong-pw');
    }
  });

  it('an unreachable proxy is PROXY_FAILED; NEVER with an https:// proxy is a config error', async () => {
    const { gateway } = gatewayVia('http://127.0.0.1:1');
    const err = await gateway.request({ method: 'GET', path: '/v1/account' }).catch((e) => e);
    await gateway.close();
    expect(err.code).toBe('PROXY_FAILED');
    expect(err.message).toBe('GET /v1/account: proxy http://127.0.0.1:1 is unreachable (ECONNREFUSED)');
    expect(() => gatewayVia('https://127.0.0.1:1', { sslType: 'NEVER' })).toThrow(
      /sslType NEVER means no TLS to the proxy/,
    );
  });
});
