/** The HTTP face: auth, conditions, idempotency, then the engine; always JSON in Stripe's shape. */
import http from 'node:http';
import type { Socket } from 'node:net';
import { authenticate } from './auth.ts';
import type { Conditions, Fault } from './conditions.ts';
import type { Engine } from './engine.ts';
import { StripeError, faultError, internalError, invalid } from './errors.ts';
import { parseBody, parseForm } from './form.ts';
import { checkPublishable } from './publishable.ts';
import type { Idempotency } from './idempotency.ts';
import type { RequestLog } from './request_log.ts';
import type { RecordedRequest } from './types.ts';

export interface ServerDeps {
  engine: Engine;
  conditions: Conditions;
  idempotency: Idempotency;
  requests: RequestLog;
  onChange: () => void;
  log?: (line: string) => void;
  /** Secret (or publishable) key → the account it belongs to; other keys: the default account. */
  accounts?: Record<string, string>;
  /** Routes outside /v1 (the emulator's own controls); answer true when handled. */
  control?: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => Promise<boolean>;
}

const DEFAULT_VERSION = '2023-08-16';
/** Request bodies beyond this are refused (413) before parsing; Stripe's requests are small forms. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function createServer(deps: ServerDeps): http.Server {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const text = size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8');
      answer(deps, req, res, text).catch((error) => {
        deps.log?.(`internal error: ${(error as Error).stack}`);
        send(res, 500, internalError().body('req_internal', false), {});
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => clientError(error, socket));
  return server;
}

async function answer(
  deps: ServerDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  text: string | null,
) {
  if (
    text !== null &&
    deps.control &&
    !(req.url ?? '').startsWith('/v1/') &&
    (await deps.control(req, res, text))
  )
    return;
  await serve(deps, req, res, text);
}

/** The request target as sent: no dot-segment normalisation (`/v1/customers/..` is the id `..`). */
function splitTarget(target: string): { path: string; search: string } {
  const t = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const q = t.indexOf('?');
  return q < 0 ? { path: t || '/', search: '' } : { path: t.slice(0, q) || '/', search: t.slice(q + 1) };
}

async function serve(
  deps: ServerDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  text: string | null,
) {
  const { engine, conditions } = deps;
  const requestId = `req_${engine.ids.chars(14)}`;
  const { path, search } = splitTarget(req.url ?? '/');
  const method = (req.method ?? 'GET').toUpperCase();
  // HEAD is answered as GET would be; Node sends the headers (Content-Length too) without the body.
  const as = method === 'HEAD' ? 'GET' : method;
  const account = header(req, 'stripe-account');
  const idempotencyKey = header(req, 'idempotency-key');
  const version = header(req, 'stripe-version') ?? DEFAULT_VERSION;
  const record: RecordedRequest = {
    method,
    path,
    query: {},
    body: {},
    account,
    livemode: false,
    idempotencyKey,
    status: 0,
    at: Date.now(),
  };
  deps.requests.push(record);
  const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': version };
  if (account) headers['Stripe-Account'] = account;
  if (idempotencyKey && method === 'POST') headers['Idempotency-Key'] = idempotencyKey;
  let livemode = false;
  let fault: Fault = { kind: 'none' };
  /** Whether the engine was reached (only then can a refusal have changed state). */
  let ran = false;
  try {
    record.query = parseForm(search);
    const credentials = authenticate(header(req, 'authorization'));
    livemode = credentials.livemode;
    record.livemode = livemode;
    if (credentials.publishable) checkPublishable(as, path);
    const owner = deps.accounts?.[credentials.key];
    if (text === null)
      throw invalid(
        `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`,
        undefined,
        undefined,
        413,
      );
    record.body = method === 'POST' ? parseBody(text, header(req, 'content-type')) : {};
    if (conditions.limited(credentials.key)) {
      throw new StripeError(
        429,
        'invalid_request_error',
        'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
        { code: 'rate_limit', shouldRetry: true },
      );
    }
    fault = conditions.fault();
    if (fault.kind === 'drop' || fault.kind === 'timeout') {
      record.status = -1;
      if (fault.kind === 'drop') req.socket.destroy();
      else setTimeout(() => req.socket.destroy(), fault.ms).unref();
      return;
    }
    await sleep(conditions.delay() + (fault.kind === 'slow' ? fault.ms : 0));
    if (fault.kind === 'status') throw faultError(fault.status);

    const params = method === 'POST' ? { ...record.query, ...record.body } : record.query;
    ran = true;
    const run = () =>
      engine.handle({ method: as, path, params, livemode, account, owner, requestId, idempotencyKey });
    if (method === 'POST' && idempotencyKey) {
      const scope = `${credentials.livemode}:${account ?? ''}:${credentials.key}`;
      const fingerprint = `${path}?${search}|${text}`;
      const out = await runIdempotent(deps, scope, idempotencyKey, fingerprint, run, requestId, livemode);
      record.status = out.status;
      if (out.replayed) headers['Idempotent-Replayed'] = 'true';
      reply(req, res, fault, record, out.status, out.body, { ...headers, ...out.headers });
      return;
    }
    const out = await run();
    if (as !== 'GET') deps.onChange();
    record.status = out.status;
    reply(req, res, fault, record, out.status, out.body, headers);
  } catch (error) {
    const e = error instanceof StripeError ? error : internalError();
    if (!(error instanceof StripeError)) deps.log?.(`internal error: ${(error as Error).stack}`);
    record.status = e.status;
    if (ran && e.status < 500 && !e.early && as !== 'GET') deps.onChange();
    reply(req, res, fault, record, e.status, e.body(requestId, livemode), { ...headers, ...retryHeader(e) });
  }
}

/**
 * Runs a keyed POST once: a retry with the same key replays the saved answer (Stripe saves
 * everything but 5xx and early refusals, which the next attempt may run again).
 */
async function runIdempotent(
  deps: ServerDeps,
  scope: string,
  key: string,
  fingerprint: string,
  run: () => Promise<{ status: number; body: unknown }>,
  requestId: string,
  livemode: boolean,
): Promise<{ status: number; body: unknown; headers: Record<string, string>; replayed?: boolean }> {
  const slot = deps.idempotency.begin(scope, key, fingerprint);
  if ('replay' in slot) {
    const saved = await slot.replay;
    if (saved) return { ...saved, replayed: true };
    // The first attempt saved nothing (it failed early): run this one.
  }
  const settle = 'settle' in slot ? slot.settle : () => undefined;
  try {
    const out = await run();
    deps.onChange();
    settle({ status: out.status, body: out.body, headers: {} });
    return { ...out, headers: {} };
  } catch (error) {
    if (error instanceof StripeError && !error.early && error.status < 500) {
      settle({ status: error.status, body: error.body(requestId, livemode), headers: retryHeader(error) });
    } else settle(undefined);
    throw error;
  }
}

/** Sends the answer, unless the fault switch loses it after the work was done ("drop-after"). */
function reply(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  fault: Fault,
  record: RecordedRequest,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  if (fault.kind === 'drop-after') {
    record.status = -2;
    req.socket.destroy();
    return;
  }
  send(res, status, body, headers);
}

function retryHeader(e: StripeError): Record<string, string> {
  if (e.shouldRetry !== undefined) return { 'Stripe-Should-Retry': String(e.shouldRetry) };
  if (e.status === 409 || e.status === 429 || e.status >= 500) return { 'Stripe-Should-Retry': 'true' };
  return { 'Stripe-Should-Retry': 'false' };
}

export function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
) {
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

/**
 * Requests Node's parser refuses before any handler runs (oversized URL or headers, bad framing,
 * an invalid method): still answered in Stripe's JSON error shape, then the connection closes.
 */
function clientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request line or headers too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive.']
        : [400, 'Bad Request', `Malformed HTTP request (${error.code ?? 'parse error'}).`];
  const json = JSON.stringify({ error: { type: 'invalid_request_error', message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
  );
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v || undefined;
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
