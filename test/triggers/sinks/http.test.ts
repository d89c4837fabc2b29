import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSink } from '../../../src/triggers/sinks/http.ts';
import type { SinkMessage } from '../../../src/triggers/sinks/types.ts';

const SECRET = `whsec_${Buffer.from('a sink secret of 32 bytes.......').toString('base64')}`;
const message: SinkMessage = {
  id: 'dlv_abc',
  trigger: 'new-customers',
  type: 'customer.created',
  event_id: 'evt_1',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { id: 'cus_1' },
};

let server: Server;
let url = '';
let reply: (
  req: IncomingMessage,
  body: string,
) => { status: number; headers?: Record<string, string>; delayMs?: number };
const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ headers: req.headers, body });
    const r = reply(req, body);
    setTimeout(() => res.writeHead(r.status, r.headers).end(), r.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('http sink', () => {
  it('signs per Standard Webhooks: the receiver verifies it with the same secret, the id is the delivery id', async () => {
    reply = () => ({ status: 204 });
    received.length = 0;
    expect(await httpSink({ url, secret: SECRET }).send(message)).toEqual({ kind: 'ack' });
    const [{ headers, body }] = received;
    expect(headers['webhook-id']).toBe('dlv_abc');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(new Webhook(SECRET).verify(body, headers as Record<string, string>)).toEqual(message);
    const other = `whsec_${Buffer.from('another secret entirely.........').toString('base64')}`;
    expect(() => new Webhook(other).verify(body, headers as Record<string, string>)).toThrow();
  });

  it.each([
    [200, {}, { kind: 'ack' }],
    [410, {}, { kind: 'gone' }],
    [429, { 'retry-after': '7' }, { kind: 'retry', retryAfterMs: 7000 }],
    [503, {}, { kind: 'retry' }],
    [500, { 'retry-after': '2' }, { kind: 'retry', retryAfterMs: 2000 }],
    [400, {}, { kind: 'reject' }],
    [404, {}, { kind: 'reject' }],
    [302, { location: 'http://127.0.0.1:1/' }, { kind: 'reject' }],
  ])('answer %i → %o', async (status, headers, outcome) => {
    reply = () => ({ status, headers });
    expect(await httpSink({ url, secret: SECRET }).send(message)).toMatchObject(outcome);
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    reply = () => ({ status: 200, delayMs: 400 });
    const outcome = await httpSink({ url, secret: SECRET, timeoutMs: 100 }).send(message);
    expect(outcome).toMatchObject({
      kind: 'retry',
      error: expect.stringContaining('no answer within 100 ms'),
    });
  });

  it('retries a receiver that refuses connections, naming only its origin', async () => {
    const outcome = await httpSink({ url: 'http://user:pw@127.0.0.1:1/x?token=t', secret: SECRET }).send(
      message,
    );
    expect(outcome.kind).toBe('retry');
    expect(JSON.stringify(outcome)).not.toMatch(/pw|token/);
  });

  it('sends once more on a new connection when a kept-open one was closed by the receiver as it was reused', async () => {
    // Answers the first request of each connection, drops any later one unanswered.
    const seen = new Map<object, number>();
    const flaky = createServer((req, res) => {
      const n = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, n);
      if (n > 1) req.socket.destroy();
      else req.resume().on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const sink = httpSink({
      url: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/`,
      secret: SECRET,
    });
    try {
      expect(await sink.send(message)).toEqual({ kind: 'ack' });
      expect(await sink.send(message)).toEqual({ kind: 'ack' });
      expect(seen.size).toBe(2); // the second went out again on a second connection
    } finally {
      await sink.close();
      flaky.closeAllConnections();
      flaky.close();
    }
  });
});
