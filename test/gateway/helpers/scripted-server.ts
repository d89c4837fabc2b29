/**
 * A tiny Stripe-shaped HTTP server on 127.0.0.1 whose answers a test scripts, for the exact retry
 * conditions (Retry-After, Stripe-Should-Retry, 400 "too quickly", 409 lock_timeout, resets) the
 * emulator's random faults can't pin down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Recorded, res: ServerResponse, index: number) => void;

export function stripeError(
  res: ServerResponse,
  status: number,
  error: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${status}`, ...headers });
  res.end(JSON.stringify({ error }));
}

export function json(res: ServerResponse, body: unknown, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_ok' });
  res.end(JSON.stringify(body));
}

export async function startScripted(handler: Handler) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const rec = { method: req.method!, url: req.url!, headers: req.headers, body };
      requests.push(rec);
      handler(rec, res, requests.length - 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
