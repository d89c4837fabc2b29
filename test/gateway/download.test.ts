/**
 * Gateway.download: a file answer (the quote PDF) through the same pipeline as JSON: throttle,
 * retries (an injected 500, a body cut off mid-way), error mapping, logging, Stripe-Account, and
 * the host the SDK uses for it (files.stripe.com for real Stripe, the base URL otherwise).
 */
import { Server as ProxyServer, type PrepareRequestFunctionOpts } from 'proxy-chain';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConnection } from '../../src/connection/load.ts';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { createGateway, createGatewayFromConnection, type Gateway } from '../../src/gateway/index.ts';
import { startScripted } from './helpers/scripted-server.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, randomSeed: 5 });
  // The emulator answers 404 for a quote it does not have, as Stripe does.
  for (const account of ['acct_1Download', 'acct_1Other'])
    emulator.load('quote', [{ id: 'qt_123' }], { account });
  emulator.load('quote', [{ id: 'qt_retry' }]);
});
afterAll(() => emulator.close());
afterEach(() => emulator.setConditions({ faults: undefined }));

function gateway(baseUrl: string, lines: string[] = [], extra: Record<string, unknown> = {}): Gateway {
  return createGateway(
    {
      apiKey: 'sk_test_download_secret',
      baseUrl,
      throttle: { tps: 500, burst: 50, maxRetries: 6 },
      logging: { verbosity: 3 },
      ...extra,
    },
    { backoff: { baseMs: 5, maxMs: 20 }, logSink: (l) => lines.push(l) },
  );
}

const PDF = /^%PDF-1\.4\n/;

describe('Gateway.download', () => {
  it('returns the body and content type; logs size, never the key; sends Stripe-Account', async () => {
    const lines: string[] = [];
    const g = gateway(emulator.url, lines, { accountId: 'acct_1Download' });
    try {
      emulator.clearRequests();
      const file = await g.download!({ method: 'GET', path: '/v1/quotes/qt_123/pdf' });
      expect(file.contentType).toBe('application/pdf');
      expect(Buffer.isBuffer(file.body)).toBe(true);
      expect(file.body.toString('latin1')).toMatch(PDF);
      expect(emulator.requests.at(-1)).toMatchObject({
        path: '/v1/quotes/qt_123/pdf',
        account: 'acct_1Download',
      });
      // A per-call account overrides the connection's, as for request().
      await g.download!({ method: 'GET', path: '/v1/quotes/qt_123/pdf', stripeAccount: 'acct_1Other' });
      expect(emulator.requests.at(-1)?.account).toBe('acct_1Other');
      expect(g.stats).toMatchObject({ requests: 2, succeeded: 2, failed: 0 });
      expect(lines.join('\n')).toMatch(
        /GET \/v1\/quotes\/qt_123\/pdf → 200 \(\d+ ms, \d+ bytes application\/pdf\)/,
      );
      expect(lines.join('\n')).not.toContain('sk_test_download_secret');
    } finally {
      await g.close();
    }
  });

  it('retries injected 500s and returns the file once one attempt succeeds', async () => {
    const g = gateway(emulator.url);
    try {
      emulator.setConditions({ faults: '500:0.5' });
      for (let i = 0; i < 12 && !g.stats!.retries; i++) {
        const file = await g.download!({ method: 'GET', path: '/v1/quotes/qt_retry/pdf' });
        expect(file.body.toString('latin1')).toMatch(PDF);
      }
      expect(g.stats!.retries).toBeGreaterThan(0);
      expect(g.stats!.retriesByReason.server_error).toBe(g.stats!.retries);
      expect(g.stats!.failed).toBe(0);
      const served = emulator.requests.filter((r) => r.path === '/v1/quotes/qt_retry/pdf');
      expect(served.some((r) => r.status === 500)).toBe(true);
    } finally {
      await g.close();
    }
  });

  it('maps an error answer like request() does, and refuses an unknown apiBase', async () => {
    const server = await startScripted((_q, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'request-id': 'req_404' });
      res.end(
        JSON.stringify({
          error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such quote' },
        }),
      );
    });
    const g = gateway(server.url);
    try {
      const err = await g.download!({ method: 'GET', path: '/v1/quotes/qt_missing/pdf' }).catch((e) => e);
      expect(err.code).toBe('STRIPE_NOT_FOUND');
      expect(err.message).toMatch(/^GET \/v1\/quotes\/qt_missing\/pdf failed with HTTP 404: No such quote/);
      await expect(
        g.download!({ method: 'GET', path: '/v1/x', apiBase: 'connect' as 'files' }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await g.close();
      await server.close();
    }
  });

  it('retries a body cut off mid-way (a network failure after the headers)', async () => {
    const server = await startScripted((_q, res, index) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '100' });
      if (index === 0) {
        res.write('%PDF-1.4\npartial');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      res.end(Buffer.alloc(100, 0x41));
    });
    const g = gateway(server.url);
    try {
      const file = await g.download!({ method: 'GET', path: '/v1/quotes/qt_cut/pdf' });
      expect(file.body).toEqual(Buffer.alloc(100, 0x41));
      expect(server.requests).toHaveLength(2);
      expect(g.stats).toMatchObject({ retries: 1, retriesByReason: { network: 1 }, failed: 0 });
    } finally {
      await g.close();
      await server.close();
    }
  });

  it('an abort stops a download', async () => {
    const server = await startScripted((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '100' });
      res.write('%PDF');
    });
    const g = gateway(server.url);
    try {
      const controller = new AbortController();
      const pending = g.download!({
        method: 'GET',
        path: '/v1/quotes/qt_slow/pdf',
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('stop')), 50);
      await expect(pending).rejects.toThrow('stop');
    } finally {
      await g.close();
      await server.close();
    }
  });

  it('for real Stripe it goes to files.stripe.com, as the SDK does (seen by a refusing proxy)', async () => {
    const seen: string[] = [];
    const proxy = new ProxyServer({
      port: 0,
      host: '127.0.0.1',
      prepareRequestFunction: ({ hostname, port }: PrepareRequestFunctionOpts) => {
        seen.push(`${hostname}:${port}`);
        // Never out to the internet: refuse every tunnel after noting where it was going.
        return { requestAuthentication: true, failMsg: 'no network in tests' };
      },
    } as any);
    await proxy.listen();
    const connection = parseConnection(
      {
        name: 'real-stripe',
        apiKey: 'sk_test_real',
        throttle: { maxRetries: 0 },
        proxy: { enabled: true, url: `http://127.0.0.1:${proxy.port}` },
      },
      { allowLiteralSecrets: true },
    );
    const g = createGatewayFromConnection(connection, { logSink: () => {} });
    try {
      await g.download!({ method: 'GET', path: '/v1/quotes/qt_1/pdf' }).catch(() => undefined);
      await g.request({ method: 'GET', path: '/v1/quotes/qt_1' }).catch(() => undefined);
      expect(seen).toEqual(['files.stripe.com:443', 'api.stripe.com:443']);
    } finally {
      await g.close();
      await proxy.close(true);
    }
  });
});
