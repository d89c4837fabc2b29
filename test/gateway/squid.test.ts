/**
 * DIGEST proxy authentication against a real squid (RFC 7616 MD5 with qop=auth), through a CONNECT
 * tunnel and as forward requests, and a wrong password. Needs squid: `bash .ci/setup-services.sh`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnection } from '../../src/connection/load.ts';
import { createGatewayFromConnection } from '../../src/gateway/index.ts';
import { json, startScripted } from './helpers/scripted-server.ts';
import { squidAvailable, startSquid, type Squid } from './helpers/squid.ts';

if (!squidAvailable) {
  console.warn('squid tests skipped: squid is not installed (run: bash .ci/setup-services.sh)');
}

const env = { STRIPE_API_KEY: 'sk_test_squidkey', PW: 'digest-pw', BAD: 'not-it' };
let squid: Squid;
let target: Awaited<ReturnType<typeof startScripted>>;

describe.skipIf(!squidAvailable)('proxy (squid, DIGEST)', () => {
  beforeAll(async () => {
    squid = await startSquid({ alice: 'digest-pw' });
    target = await startScripted((q, res) => json(res, { id: 'acct_squid', object: 'account', path: q.url }));
  });
  afterAll(async () => {
    await squid?.close();
    await target?.close();
  });

  function gateway(sslType: string, password = 'env:PW') {
    const lines: string[] = [];
    const connection = parseConnection(
      {
        name: 'squid',
        baseUrl: target.url,
        throttle: { maxRetries: 0 },
        logging: { verbosity: 5 },
        proxy: { enabled: true, url: squid.url, authScheme: 'DIGEST', user: 'alice', password, sslType },
      },
      { env },
    );
    return { gateway: createGatewayFromConnection(connection, { logSink: (l) => lines.push(l) }), lines };
  }

  for (const sslType of ['TUNNEL', 'AUTO']) {
    it(`authenticates with digest (${sslType === 'TUNNEL' ? 'CONNECT tunnel' : 'forward requests'}), answering once per nonce`, async () => {
      const { gateway: g, lines } = gateway(sslType);
      for (let i = 0; i < 3; i++) {
        expect(await g.request({ method: 'GET', path: '/v1/account', params: { n: i } })).toMatchObject({
          id: 'acct_squid',
        });
      }
      await g.request({ method: 'POST', path: '/v1/customers', params: { name: 'x' } });
      await g.close();
      const expected =
        sslType === 'TUNNEL'
          ? /CONNECT 127\.0\.0\.1:\d+ alice/
          : /GET http:\/\/127\.0\.0\.1:\d+\/v1\/account\S* alice/;
      // Squid logs a tunnel when it has closed, a moment after our side closed it.
      for (let waited = 0; !expected.test(squid.accessLog()) && waited < 5000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(squid.accessLog()).toMatch(expected);
      const all = lines.join('\n');
      expect(all).not.toContain('digest-pw');
      expect(all).not.toContain('sk_test_squidkey');
    });
  }

  it('a wrong digest password is a clear PROXY_AUTH_FAILED (tunnel and forward)', async () => {
    for (const sslType of ['TUNNEL', 'AUTO']) {
      const { gateway: g } = gateway(sslType, 'env:BAD');
      const err = await g.request({ method: 'GET', path: '/v1/account' }).catch((e) => e);
      await g.close();
      expect(err.code).toBe('PROXY_AUTH_FAILED');
      expect(err.message).toMatch(
        /^proxy http:\/\/127\.0\.0\.1:\d+ rejected the credentials .*GET \/v1\/account/,
      );
    }
  });
});
