import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, StripeApiError } from '../../src/gateway/index.ts';
import { ConnectorError } from '../../src/errors.ts';
import { json, startScripted, stripeError, type Handler } from './helpers/scripted-server.ts';

const KEY = 'sk_test_pipeline123';
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function setup(handler: Handler, opts: { maxRetries?: number; tps?: number; verbosity?: number } = {}) {
  const server = await startScripted(handler);
  const lines: string[] = [];
  const gateway = createGateway(
    {
      apiKey: KEY,
      baseUrl: server.url,
      throttle: { tps: opts.tps ?? 1000, burst: 100, maxRetries: opts.maxRetries ?? 3 },
      logging: { verbosity: opts.verbosity ?? 3 },
    },
    { backoff: { baseMs: 5, maxMs: 20 }, logSink: (l) => lines.push(l) },
  );
  closers.push(() => gateway.close(), server.close);
  return { server, gateway, lines };
}

/** Fails the first `n` requests with `fail`, then succeeds. */
function failFirst(n: number, fail: Handler): Handler {
  return (req, res, i) => (i < n ? fail(req, res, i) : json(res, { id: 'cus_1', object: 'customer' }));
}

describe('gateway pipeline (scripted server)', () => {
  it('leaves no abort listener behind on a signal shared by many requests', async () => {
    const { gateway } = await setup((_req, res) => json(res, { ok: true }));
    const controller = new AbortController();
    for (let i = 0; i < 12; i++) {
      await gateway.request({ method: 'GET', path: '/v1/customers', signal: controller.signal });
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('sends reads with query params, writes as forms with one idempotency key, and pins the API version', async () => {
    const { server, gateway } = await setup((_req, res) => json(res, { ok: true }));
    await gateway.request({
      method: 'GET',
      path: '/v1/customers',
      params: { limit: 3, email: 'a@b.c', expand: ['data.default_source'] },
    });
    await gateway.request({
      method: 'POST',
      path: '/v1/customers',
      params: { name: 'Jane', metadata: { k: 'v' } },
      stripeAccount: 'acct_9',
    });
    const [get, post] = server.requests;
    expect(decodeURIComponent(get.url)).toBe(
      '/v1/customers?limit=3&email=a@b.c&expand[0]=data.default_source',
    );
    expect(get.headers['idempotency-key']).toBeUndefined();
    expect(get.headers['stripe-version']).toBe('2023-08-16');
    expect(get.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(get.headers['user-agent']).toContain('stripe-connector');
    expect(decodeURIComponent(post.body)).toBe('name=Jane&metadata[k]=v');
    expect(post.headers['idempotency-key']).toMatch(/^sc-[0-9a-f-]{36}$/);
    expect(post.headers['stripe-account']).toBe('acct_9');
  });

  it('retries 5xx, 409 lock_timeout and 400 "too quickly" with the same idempotency key', async () => {
    const faults: Handler[] = [
      (_q, res) => stripeError(res, 500, { type: 'api_error', message: 'boom' }),
      (_q, res) =>
        stripeError(res, 409, { type: 'invalid_request_error', code: 'lock_timeout', message: 'locked' }),
      (_q, res) =>
        stripeError(res, 400, {
          type: 'invalid_request_error',
          message: 'You are making requests too quickly',
        }),
    ];
    const { server, gateway } = await setup((req, res, i) =>
      i < 3 ? faults[i](req, res, i) : json(res, { id: 'cus_1' }),
    );
    const out = await gateway.request({
      method: 'POST',
      path: '/v1/customers',
      params: { name: 'x' },
      idempotencyKey: 'mine-1',
    });
    expect(out).toEqual({ id: 'cus_1' });
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      'mine-1',
      'mine-1',
      'mine-1',
      'mine-1',
    ]);
    expect(gateway.stats).toMatchObject({
      requests: 1,
      attempts: 4,
      retries: 3,
      succeeded: 1,
      rateLimited: 1,
    });
    expect(gateway.stats!.retriesByReason).toEqual({ server_error: 1, lock_timeout: 1, rate_limit: 1 });
  });

  it('honours Retry-After on 429 for every caller, and Stripe-Should-Retry: false', async () => {
    const { server, gateway } = await setup(
      failFirst(1, (_q, res) =>
        stripeError(res, 429, { type: 'rate_limit_error', message: 'slow' }, { 'retry-after': '0.3' }),
      ),
    );
    const t0 = performance.now();
    await gateway.request({ method: 'GET', path: '/v1/customers/cus_1' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(server.requests).toHaveLength(2);

    const second = await setup((_q, res) =>
      stripeError(res, 500, { type: 'api_error', message: 'no' }, { 'stripe-should-retry': 'false' }),
    );
    await expect(second.gateway.request({ method: 'GET', path: '/v1/x' })).rejects.toMatchObject({
      code: 'STRIPE_API_ERROR',
    });
    expect(second.server.requests).toHaveLength(1);
  });

  it('retries connection resets and gives up after maxRetries with a typed error', async () => {
    const { server, gateway } = await setup((_q, res) => res.socket!.destroy(), { maxRetries: 2 });
    const err = await gateway.request({ method: 'POST', path: '/v1/customers', params: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.message).toMatch(
      /^POST \/v1\/customers: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNRESET\) after 3 attempts$/,
    );
    // Three gateway attempts; the SDK re-sends once on a closed socket, always with the same key.
    expect(new Set(server.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(gateway.stats!.attempts).toBe(3);
  });

  it('times out slow answers and says so', async () => {
    const server = await startScripted(() => {});
    const gateway = createGateway(
      { apiKey: KEY, baseUrl: server.url, timeoutMs: 200, throttle: { maxRetries: 1 } },
      { backoff: { baseMs: 5, maxMs: 5 }, logSink: () => {} },
    );
    closers.push(() => gateway.close(), server.close);
    const err = await gateway.request({ method: 'GET', path: '/v1/account' }).catch((e) => e);
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/^GET \/v1\/account timed out after 200 ms after 2 attempts/);
    expect(gateway.stats!.retriesByReason).toEqual({ timeout: 1 });
  });

  it('maps Stripe errors to typed errors carrying Stripe facts, never the key', async () => {
    const cases: Array<[number, Record<string, unknown>, string]> = [
      [
        401,
        { type: 'invalid_request_error', message: `Invalid API Key provided: ${KEY}` },
        'STRIPE_AUTHENTICATION',
      ],
      [
        402,
        {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'declined',
        },
        'STRIPE_CARD_DECLINED',
      ],
      [403, { type: 'invalid_request_error', message: 'no permission' }, 'STRIPE_PERMISSION'],
      [
        404,
        { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: 'No such customer' },
        'STRIPE_NOT_FOUND',
      ],
      [400, { type: 'idempotency_error', message: 'key reused' }, 'STRIPE_IDEMPOTENCY'],
      [
        400,
        {
          type: 'invalid_request_error',
          code: 'parameter_missing',
          param: 'amount',
          message: 'Missing amount',
        },
        'STRIPE_INVALID_REQUEST',
      ],
    ];
    let i = 0;
    const { gateway } = await setup((_q, res) => {
      const [status, error] = cases[i++];
      stripeError(res, status, error);
    });
    for (const [status, error, code] of cases) {
      const err = await gateway
        .request({ method: 'POST', path: '/v1/payment_intents', params: {} })
        .catch((e) => e);
      expect(err).toBeInstanceOf(StripeApiError);
      expect(err.code).toBe(code);
      expect(err.stripe).toMatchObject({ statusCode: status, type: error.type, requestId: `req_${status}` });
      if (error.param) expect(err.stripe.param).toBe(error.param);
      if (error.decline_code) expect(err.stripe.declineCode).toBe(error.decline_code);
      expect(err.message).toMatch(/^POST \/v1\/payment_intents failed with HTTP \d+/);
      expect(err.message).not.toContain(KEY);
      expect(JSON.stringify(err.toJSON())).not.toContain(KEY);
    }
  });

  it('logs one line per request at verbosity 3, retries as warnings, nothing at verbosity 1', async () => {
    const { gateway, lines } = await setup(
      failFirst(1, (_q, res) => stripeError(res, 503, { type: 'api_error', message: 'x' })),
    );
    await gateway.request({ method: 'GET', path: '/v1/customers' });
    expect(lines.some((l) => / INFO \[default\] GET \/v1\/customers → 503/.test(l))).toBe(true);
    expect(
      lines.some((l) =>
        / WARN \[default\] retrying GET \/v1\/customers in \d+ ms \(server_error, attempt 2 of 4\)/.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => / INFO \[default\] GET \/v1\/customers → 200/.test(l))).toBe(true);

    const quiet = await setup((_q, res) => json(res, {}), { verbosity: 1 });
    await quiet.gateway.request({ method: 'GET', path: '/v1/customers' });
    expect(quiet.lines).toEqual([]);
  });

  it('shares the throttle between concurrent callers and logs waits', async () => {
    const server = await startScripted((_q, res) => json(res, {}));
    const lines2: string[] = [];
    const g = createGateway(
      { apiKey: KEY, baseUrl: server.url, throttle: { tps: 20, burst: 1 }, logging: { verbosity: 3 } },
      { logSink: (l) => lines2.push(l) },
    );
    closers.push(() => g.close(), server.close);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, () =>
        Promise.all(Array.from({ length: 5 }, () => g.request({ method: 'GET', path: '/v1/x' }))),
      ),
    );
    const elapsed = performance.now() - t0;
    // 20 requests at 20/s with no burst: the last starts 950 ms after the first.
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(g.stats!.throttledWaits).toBe(19);
    expect(lines2.filter((l) => /throttle: waited \d+ ms for GET \/v1\/x/.test(l)).length).toBeGreaterThan(
      10,
    );
  });
});
