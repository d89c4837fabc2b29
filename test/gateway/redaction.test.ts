/**
 * A mixed workload at verbosity 5 (full headers, bodies, TLS) through an authenticating proxy:
 * no secret — API key, proxy password, webhook secret, client_secret, card number — may appear in
 * any log line, while the log must still show the traffic.
 */
import { Server as ProxyServer } from 'proxy-chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { parseConnection } from '../../src/connection/load.ts';
import { createGatewayFromConnection } from '../../src/gateway/index.ts';

const API_KEY = 'sk_test_51RedactionKeyAbcDef';
const PROXY_PW = 'pr0xy-Passw0rd!';
const CARD = '4242424242424242';

let emulator: Emulator;
let proxy: ProxyServer;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, randomSeed: 3 });
  proxy = new ProxyServer({
    port: 0,
    host: '127.0.0.1',
    prepareRequestFunction: ({ username, password }) => ({
      requestAuthentication: username !== 'ops' || password !== PROXY_PW,
    }),
  });
  await proxy.listen();
});
afterAll(async () => {
  await proxy.close(true);
  await emulator.close();
});

describe('redaction at verbosity 5', () => {
  it('keeps every secret out of every log line under a mixed workload', async () => {
    const lines: string[] = [];
    const connection = parseConnection(
      {
        name: 'redaction',
        baseUrl: emulator.url,
        logging: { verbosity: 5 },
        throttle: { maxRetries: 2 },
        proxy: {
          enabled: true,
          url: `http://127.0.0.1:${proxy.port}`,
          authScheme: 'BASIC',
          user: 'ops',
          password: 'env:PROXY_PW',
        },
      },
      { env: { STRIPE_API_KEY: API_KEY, PROXY_PW } },
    );
    const g = createGatewayFromConnection(connection, { logSink: (l) => lines.push(l) });
    const secrets = [
      API_KEY,
      PROXY_PW,
      encodeURIComponent(PROXY_PW),
      Buffer.from(`ops:${PROXY_PW}`).toString('base64'),
      CARD,
    ];

    const customer = await g.request({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'jane@example.com', name: 'Jane' },
    });
    const endpoint = await g.request({
      method: 'POST',
      path: '/v1/webhook_endpoints',
      params: { url: 'https://example.com/hook', enabled_events: ['charge.succeeded'] },
    });
    if (endpoint.secret) secrets.push(endpoint.secret);
    const intent = await g.request({
      method: 'POST',
      path: '/v1/payment_intents',
      params: { amount: 1500, currency: 'usd', customer: customer.id, payment_method_types: ['card'] },
    });
    if (intent.client_secret) secrets.push(intent.client_secret);
    await g.request({ method: 'GET', path: `/v1/payment_intents/${intent.id}` });
    await g.request({
      method: 'GET',
      path: '/v1/customers',
      params: { email: 'jane@example.com', limit: 5 },
    });
    // A card number in a request body, whatever the server makes of it.
    await g
      .request({
        method: 'POST',
        path: '/v1/payment_methods',
        params: { type: 'card', card: { number: CARD, exp_month: 12, exp_year: 2030, cvc: '123' } },
      })
      .catch(() => undefined);
    // Errors too: their messages and error lines go through the same redactor.
    const err = await g.request({ method: 'GET', path: '/v1/customers/cus_nope' }).catch((e) => e);
    expect(err.code).toBe('STRIPE_NOT_FOUND');
    await g.close();

    expect(endpoint.secret ?? '', 'the emulator returns the webhook secret').toMatch(/^whsec_/);
    expect(intent.client_secret ?? '', 'the emulator returns the client secret').toMatch(/_secret_/);
    const all = lines.join('\n');
    // The log shows the traffic in full detail...
    expect(all).toMatch(/> POST http:\/\/127\.0\.0\.1:\d+\/v1\/payment_intents/);
    expect(all).toMatch(/< body POST \/v1\/webhook_endpoints/);
    expect(all).toMatch(/"authorization":"\[REDACTED\]"/i);
    expect(lines.length).toBeGreaterThan(20);
    // ...and none of the secrets, in any line.
    for (const secret of secrets) {
      for (const line of lines)
        expect(line.includes(secret), `secret leaked in: ${line.slice(0, 200)}`).toBe(false);
    }
  });
});
