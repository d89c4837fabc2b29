/** The HTTP face: auth, conditions, idempotency, then the engine; always JSON in Stripe's shape. */
import http from 'node:http';
import { authenticate } from './auth.ts';
import type { Conditions } from './conditions.ts';
import type { Engine } from './engine.ts';
import { StripeError, apiError } from './errors.ts';
import { parseBody, parseForm } from './form.ts';
import type { Idempotency } from './idempotency.ts';
import type { RecordedRequest } from './types.ts';

export interface ServerDeps {
  engine: Engine;
  conditions: Conditions;
  idempotency: Idempotency;
  requests: RecordedRequest[];
  /** The most `requests` keeps. */
  maxRequests: number;
  onChange: () => void;
  log?: (line: string) => void;
}

const DEFAULT_VERSION = '2023-08-16';

export function createServer(deps: ServerDeps): http.Server {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      serve(deps, req, res, Buffer.concat(chunks).toString('utf8')).catch((error) => {
        deps.log?.(`internal error: ${(error as Error).stack}`);
        if (!res.headersSent) send(res, 500, apiError().body('req_internal', false), {});
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

async function serve(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse, text: string) {
  const { engine, conditions } = deps;
  const requestId = `req_${engine.ids.chars(14)}`;
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const account = header(req, 'stripe-account');
  const idempotencyKey = header(req, 'idempotency-key');
  const version = header(req, 'stripe-version') ?? DEFAULT_VERSION;
  const query = parseForm(url.search.slice(1));
  const body = method === 'POST' ? parseBody(text, header(req, 'content-type')) : {};
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    query,
    body,
    account,
    livemode: false,
    idempotencyKey,
    status: 0,
    at: Date.now(),
  };
  recordRequest(deps, record);
  const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': version };
  if (account) headers['Stripe-Account'] = account;
  if (idempotencyKey && method === 'POST') headers['Idempotency-Key'] = idempotencyKey;
  let livemode = false;
  try {
    const credentials = authenticate(header(req, 'authorization'));
    livemode = credentials.livemode;
    record.livemode = livemode;
    if (conditions.limited(credentials.key)) {
      throw new StripeError(
        429,
        'invalid_request_error',
        'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
        { code: 'rate_limit', shouldRetry: true },
      );
    }
    const fault = conditions.fault();
    if (fault.kind === 'drop') {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'timeout') {
      record.status = -1;
      setTimeout(() => req.socket.destroy(), fault.ms).unref();
      return;
    }
    await sleep(conditions.delay() + (fault.kind === 'slow' ? fault.ms : 0));
    if (fault.kind === 'status') throw apiError(fault.status);

    const params = method === 'POST' ? { ...query, ...body } : query;
    const run = () =>
      engine.handle({ method, path: url.pathname, params, livemode, account, requestId, idempotencyKey });
    if (method === 'POST' && idempotencyKey) {
      const scope = `${credentials.livemode}:${account ?? ''}:${credentials.key}`;
      const slot = deps.idempotency.begin(scope, idempotencyKey, `${url.pathname}?${url.search}|${text}`);
      if ('replay' in slot) {
        const saved = await slot.replay;
        if (saved) {
          record.status = saved.status;
          send(res, saved.status, saved.body, {
            ...headers,
            'Idempotent-Replayed': 'true',
            ...saved.headers,
          });
          return;
        }
        // The first attempt saved nothing (it failed early): run this one.
      }
      const settle = 'settle' in slot ? slot.settle : () => undefined;
      try {
        const out = await run();
        deps.onChange();
        settle({ status: out.status, body: out.body, headers: {} });
        record.status = out.status;
        send(res, out.status, out.body, headers);
      } catch (error) {
        if (error instanceof StripeError && !error.early && error.status < 500) {
          const errHeaders = retryHeader(error);
          settle({ status: error.status, body: error.body(requestId, livemode), headers: errHeaders });
        } else settle(undefined);
        throw error;
      }
      return;
    }
    const out = await run();
    if (method !== 'GET') deps.onChange();
    record.status = out.status;
    send(res, out.status, out.body, headers);
  } catch (error) {
    const e = error instanceof StripeError ? error : apiError();
    if (!(error instanceof StripeError)) deps.log?.(`internal error: ${(error as Error).stack}`);
    record.status = e.status;
    if (e.status < 500 && !e.early && method !== 'GET') deps.onChange();
    send(res, e.status, e.body(requestId, livemode), { ...headers, ...retryHeader(e) });
  }
}

/** Appends to the request log, dropping the oldest beyond the bound. */
function recordRequest(deps: ServerDeps, record: RecordedRequest): void {
  if (deps.maxRequests <= 0) return;
  deps.requests.push(record);
  const excess = deps.requests.length - deps.maxRequests;
  if (excess === 1) deps.requests.shift();
  else if (excess > 1) deps.requests.splice(0, excess);
}

function retryHeader(e: StripeError): Record<string, string> {
  if (e.shouldRetry !== undefined) return { 'Stripe-Should-Retry': String(e.shouldRetry) };
  if (e.status === 409 || e.status === 429 || e.status >= 500) return { 'Stripe-Should-Retry': 'true' };
  return { 'Stripe-Should-Retry': 'false' };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
  if (res.headersSent || res.destroyed) return;
  if (Buffer.isBuffer(body)) {
    res.writeHead(status, { ...headers, 'Content-Type': 'application/pdf', 'Content-Length': body.length });
    res.end(body);
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-cache, no-store',
  });
  res.end(json);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v || undefined;
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
