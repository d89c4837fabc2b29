/** Error answers that are not Stripe's JSON, and requests too large to send. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, MAX_URL_BYTES, MAX_BODY_BYTES } from '../../src/gateway/index.ts';
import { rejection } from '../support/errors.ts';

let server: Server;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/v1/html431')) {
      res.writeHead(431, { 'content-type': 'text/html' });
      res.end(
        '<html><head><title>431</title></head><body><h1>Request Header Fields Too Large</h1></body></html>',
      );
    } else if (req.url?.startsWith('/v1/empty502')) {
      res.writeHead(502);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":[]}');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

const gateway = () =>
  createGateway(
    { apiKey: 'sk_test_nonjson', baseUrl: url, throttle: { maxRetries: 1 } },
    {
      backoff: { baseMs: 1, maxMs: 2 },
      logThrownErrors: false,
    },
  );

describe('non-JSON error answers', () => {
  it('a 431 HTML page is reported with its status and text, never as invalid JSON', async () => {
    const error = await rejection(
      gateway().request({ method: 'GET', path: '/v1/html431' }),
      'STRIPE_INVALID_REQUEST',
    );
    expect(error.message).toMatch(
      /^GET \/v1\/html431 failed with HTTP 431; the answer is not Stripe's JSON but a text\/html body: "431 Request Header Fields Too Large"/,
    );
    expect(error.message).not.toMatch(/Invalid JSON/);
    expect(error.details).toMatchObject({ status: 431, stripe: { statusCode: 431 } });
  });

  it('an empty 502 is a STRIPE_API_ERROR with its status, after the retries a 5xx gets', async () => {
    const before = seen.length;
    const error = await rejection(
      gateway().request({ method: 'GET', path: '/v1/empty502' }),
      'STRIPE_API_ERROR',
    );
    expect(error.message).toMatch(
      /HTTP 502 after 2 attempts; the answer is not Stripe's JSON but a body without a content type \(empty\)/,
    );
    expect(seen.length - before).toBe(2);
  });
});

describe('request size bounds', () => {
  it(`refuses a URL over MAX_URL_BYTES (${MAX_URL_BYTES}) before sending it`, async () => {
    const before = seen.length;
    const long = 'x'.repeat(MAX_URL_BYTES);
    const error = await rejection(
      gateway().request({ method: 'GET', path: '/v1/customers', params: { email: long } }),
      'REQUEST_TOO_LARGE',
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(
      /^GET \/v1\/customers: the URL would be \d+ bytes; the most this connector sends is 8192/,
    );
    expect(error.message.length).toBeLessThan(300);
    expect(seen.length).toBe(before);
  });

  it('refuses a body over MAX_BODY_BYTES, and sends one just below the URL bound', async () => {
    const before = seen.length;
    await rejection(
      gateway().request({
        method: 'POST',
        path: '/v1/customers',
        params: { description: 'x'.repeat(MAX_BODY_BYTES) },
      }),
      'REQUEST_TOO_LARGE',
    );
    expect(seen.length).toBe(before);
    await gateway().request({
      method: 'GET',
      path: '/v1/customers',
      params: { email: 'x'.repeat(MAX_URL_BYTES - 100) },
    });
    expect(seen.length).toBe(before + 1);
  });
});
