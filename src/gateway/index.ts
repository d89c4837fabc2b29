/**
 * THE request pipeline to Stripe. Every call from every layer passes through `Gateway.request`:
 * throttle (the connection's shared token bucket) → one attempt through the connection's SDK client
 * (its proxy route, its logging transport) → on a retryable failure, backoff and again with the same
 * idempotency key → Stripe's JSON, or a typed ConnectorError from the one error factory.
 * `Gateway.download` is the same pipeline for an answer that is a file (the quote PDF).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Stripe from 'stripe';
import { ConnectorError } from '../errors.ts';
import { parseConnection, type Connection } from '../connection/load.ts';
import { createLogger, type Logger } from '../connection/logger.ts';
import { createRedactor, type Redactor } from '../connection/redact.ts';
import type {
  Gateway,
  GatewayDownload,
  GatewayDownloadResult,
  GatewayRequest,
  GatewayStats,
} from './types.ts';
import { realClock, type Clock } from './throttle.ts';
import { connectionLimits, localBudget, type RateBudget } from './budget.ts';
import { sharedBudget } from './budget-shared.ts';
import { openBudgetStore, STORE_ENV, type BudgetStore } from './budget-store.ts';
import {
  backoffDelay,
  classify,
  isRateLimit,
  DEFAULT_BACKOFF,
  MAX_RETRY_AFTER_MS,
  type BackoffOptions,
  type RetryReason,
} from './retry.ts';
import { failureFacts, toGatewayError } from './errors.ts';
import { createRoute, type Route } from './proxy.ts';
import { checkRequestSize, encodeParams } from './limits.ts';
import { attemptContext, createTransport, type AttemptRecord } from './transport.ts';

export type {
  Gateway,
  GatewayDownload,
  GatewayDownloadResult,
  GatewayRequest,
  GatewayStats,
  HttpMethod,
} from './types.ts';
export { StripeApiError } from './errors.ts';
export { MAX_URL_BYTES, MAX_BODY_BYTES } from './limits.ts';

/**
 * The minimal options for code: what is left out comes from the environment as for the CLI
 * (STRIPE_API_KEY, STRIPE_API_BASE, STRIPE_ACCOUNT), then from the defaults.
 */
export interface BasicGatewayOptions {
  apiKey?: string;
  baseUrl?: string;
  accountId?: string;
  apiVersion?: string;
  name?: string;
  throttle?: {
    tps?: number;
    burst?: number;
    maxRetries?: number;
    shared?: boolean;
    budgetKey?: string;
    budgets?: Array<{ limit: number; intervalMs: number; burst?: number }>;
  };
  logging?: { enabled?: boolean; level?: 'error' | 'warn' | 'info' | 'debug'; verbosity?: number };
  timeoutMs?: number;
  /** Where the defaults are read from (default: process.env). */
  env?: Record<string, string | undefined>;
}

export interface GatewayOptions {
  /** Where log lines go (default stderr); tests and servers pass their own. */
  logSink?: (line: string) => void;
  logger?: Logger;
  /** Backoff schedule; tests shorten it. */
  backoff?: Partial<BackoffOptions>;
  clock?: Clock;
  /**
   * Log failures that are thrown to the caller (default true). The CLI turns it off: it prints the
   * thrown error itself, and the same line twice helps nobody.
   */
  logThrownErrors?: boolean;
  /**
   * Where a connection with `throttle.shared` keeps its budget (the server passes the one it opened
   * for its --store); without it, STRIPE_CONNECTOR_STORE is opened for this gateway.
   */
  budgetStore?: BudgetStore;
  /**
   * The default of `throttle.shared` (a server on PostgreSQL: every connection's budget is one for
   * all nodes unless it says `shared: false`).
   */
  shareBudgets?: boolean;
}

const METHODS = new Set(['GET', 'POST', 'DELETE']);

export function createGateway(
  options: BasicGatewayOptions | Connection = {},
  gatewayOptions: GatewayOptions = {},
): Gateway {
  if ('source' in options && 'mode' in options) return createGatewayFromConnection(options, gatewayOptions);
  const { env, name, ...rest } = options as BasicGatewayOptions;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== ''));
  const connection = parseConnection(
    { name: name ?? 'default', ...given },
    { allowLiteralSecrets: true, envDefaults: true, source: 'code', ...(env ? { env } : {}) },
  );
  return createGatewayFromConnection(connection, gatewayOptions);
}

export function createGatewayFromConnection(connection: Connection, options: GatewayOptions = {}): Gateway {
  const redactor = options.logger?.redact ?? createRedactor();
  redactor.add(connection.apiKey, connection.proxy?.password);
  const logger =
    options.logger ??
    createLogger({
      name: connection.name,
      ...connection.logging,
      redactor,
      ...(options.logSink ? { sink: options.logSink } : {}),
    });
  const clock = options.clock ?? realClock;
  const route = createRoute({
    baseUrl: connection.baseUrl,
    ...(connection.proxy ? { proxy: connection.proxy } : {}),
    ...(connection.ca ? { ca: connection.ca } : {}),
  });
  const stats = emptyStats();
  const pipeline: Pipeline = {
    connection,
    options,
    logger,
    redactor,
    clock,
    route,
    stats,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    budget: createBudget(connection, options, clock),
    stripe: createClient(connection, route, logger, stats),
    closed: false,
  };
  logRoute(connection, route, logger);

  return {
    mode: connection.mode,
    apiVersion: connection.apiVersion,
    name: connection.name,
    stats,
    budget: pipeline.budget,
    async request<T>(req: GatewayRequest): Promise<T> {
      return (await run(pipeline, req, undefined)) as T;
    },
    async download(req: GatewayDownload): Promise<GatewayDownloadResult> {
      const apiBase = req.apiBase ?? 'files';
      if (apiBase !== 'files' && apiBase !== 'api') {
        throw new ConnectorError('INVALID_ARGUMENT', `unknown apiBase ${String(apiBase)} for ${req.path}`);
      }
      return (await run(pipeline, req, { apiBase })) as GatewayDownloadResult;
    },
    async close() {
      pipeline.closed = true;
      route.destroy();
      await pipeline.budget.close();
    },
  };
}

/**
 * The connection's budget: local GCRA buckets (the fast path), or with `throttle.shared` one budget
 * for all nodes on the PostgreSQL store.
 */
function createBudget(connection: Connection, options: GatewayOptions, clock: Clock): RateBudget {
  const { throttle } = connection;
  const key = throttle.budgetKey ?? connection.name;
  if (!(throttle.shared ?? options.shareBudgets)) return localBudget(key, connectionLimits(throttle), clock);
  const url = process.env[STORE_ENV];
  if (!options.budgetStore && !url)
    throw new ConnectorError(
      'CONNECTION_INVALID',
      `connection ${connection.name}: throttle.shared needs the nodes' PostgreSQL store (serve --store postgres://… or ${STORE_ENV})`,
      { key: 'throttle.shared' },
    );
  const own = options.budgetStore ? undefined : openBudgetStore(url!);
  const budget = sharedBudget(options.budgetStore ?? own!, key, connectionLimits(throttle), { clock });
  if (!own) return budget;
  // The store opened for this gateway goes with it.
  return {
    info: budget.info,
    stats: budget.stats,
    acquire: (signal) => budget.acquire(signal),
    pause: (ms) => budget.pause(ms),
    close: () => own.close(),
  };
}

/** What one gateway's requests share: its connection, client, throttle, route, logger and counters. */
interface Pipeline {
  connection: Connection;
  options: GatewayOptions;
  logger: Logger;
  redactor: Redactor;
  clock: Clock;
  route: Route;
  stats: GatewayStats;
  backoff: BackoffOptions;
  budget: RateBudget;
  stripe: Stripe;
  closed: boolean;
}

type Binary = { apiBase: 'files' | 'api' } | undefined;

function emptyStats(): GatewayStats {
  return {
    requests: 0,
    succeeded: 0,
    failed: 0,
    attempts: 0,
    exchanges: 0,
    retries: 0,
    retriesByReason: {},
    rateLimited: 0,
    throttledWaits: 0,
    throttledMs: 0,
    proxyFailovers: 0,
  };
}

/** The connection's SDK client, speaking through our transport (route, logging, proxy answers). */
function createClient(connection: Connection, route: Route, logger: Logger, stats: GatewayStats): Stripe {
  const base = new URL(connection.baseUrl);
  return new Stripe(connection.apiKey, {
    apiVersion: connection.apiVersion as Stripe.LatestApiVersion,
    telemetry: false,
    // Retries are ours: the SDK's would hide Retry-After from us and not share the rate budget.
    maxNetworkRetries: 0,
    timeout: connection.timeoutMs,
    appInfo: { name: 'stripe-connector', version: '0.1.0' },
    host: base.hostname,
    port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
    protocol: base.protocol.replace(':', '') as 'http' | 'https',
    httpClient: createTransport({
      route,
      logger,
      onExchange: () => stats.exchanges++,
      onFailover: () => stats.proxyFailovers++,
    }),
  });
}

function logRoute(connection: Connection, route: Route, logger: Logger): void {
  if (connection.proxy && route.proxy && logger.wants(3, 'info')) {
    const addresses = route.proxies.map((p) => p.address).join(', then ');
    logger.log(
      3,
      'info',
      `proxy ${addresses} (${connection.proxy.authScheme}, sslType ${connection.proxy.sslType} → ${route.proxy.mode}${route.proxy.tls ? ' over TLS' : ''})`,
    );
  }
  if (connection.proxy?.sslType === 'NEVER' && new URL(connection.baseUrl).protocol === 'https:') {
    logger.warn('proxy sslType NEVER: requests to an https target reach the proxy unencrypted');
  }
}

/** A request checked and encoded once, for all its attempts. */
interface Prepared {
  req: GatewayRequest;
  /** The path with the query string of a read. */
  path: string;
  body: Record<string, unknown> | undefined;
  /** One key per logical write, reused by every retry, so a retried create can't create twice. */
  key: string | undefined;
}

function prepare(p: Pipeline, req: GatewayRequest): Prepared {
  if (p.closed) throw new ConnectorError('INTERNAL', `gateway ${p.connection.name} is closed`);
  if (!METHODS.has(req.method)) {
    throw new ConnectorError('INVALID_ARGUMENT', `unsupported HTTP method ${req.method} for ${req.path}`);
  }
  if (!req.path.startsWith('/'))
    throw new ConnectorError('INVALID_ARGUMENT', `path must start with /: ${req.path}`);
  const key = req.method === 'POST' ? (req.idempotencyKey ?? `sc-${randomUUID()}`) : undefined;
  let path = req.path;
  let body: Record<string, unknown> | undefined;
  if (req.method === 'POST') body = req.params ?? {};
  else if (req.params && Object.keys(req.params).length) {
    // The SDK's rawRequest takes params only for POST; for reads they go in the query string.
    path += (path.includes('?') ? '&' : '?') + encodeParams(req.params);
  }
  checkRequestSize(req.method, path, body);
  return { req, path, body, key };
}

/** Throttle → attempt → on a retryable failure, wait and again; the answer or one mapped error. */
async function run(p: Pipeline, req: GatewayRequest, binary: Binary): Promise<unknown> {
  const prepared = prepare(p, req);
  p.stats.requests++;
  for (let retry = 0; ; retry++) {
    await throttle(p, req);
    p.stats.attempts++;
    const record: AttemptRecord = { exchanges: 0 };
    const started = performance.now();
    try {
      const result = await attempt(p, prepared, record, binary);
      p.stats.succeeded++;
      logSuccess(p, prepared, record, retry, started, binary ? (result as GatewayDownloadResult) : undefined);
      return result;
    } catch (error) {
      const delay = await onFailure(p, prepared, error, record, retry, started);
      if (delay !== undefined) await p.clock.sleep(delay, req.signal);
    }
  }
}

async function throttle(p: Pipeline, req: GatewayRequest): Promise<void> {
  const waited = await p.budget.acquire(req.signal);
  if (waited <= 0) return;
  p.stats.throttledWaits++;
  p.stats.throttledMs += waited;
  if (waited >= 5) {
    p.logger.log(3, 'info', `throttle: waited ${Math.round(waited)} ms for ${req.method} ${req.path}`, {
      tps: p.connection.throttle.tps,
    });
  }
}

function logSuccess(
  p: Pipeline,
  { req, path, body, key }: Prepared,
  record: AttemptRecord,
  retry: number,
  started: number,
  file: GatewayDownloadResult | undefined,
): void {
  p.logger.log(
    3,
    'info',
    `${req.method} ${path} → ${record.status ?? 200} (${Math.round(performance.now() - started)} ms${retry ? `, attempt ${retry + 1}` : ''}${file ? `, ${file.body.length} bytes ${file.contentType}` : ''})`,
  );
  if (p.logger.wants(4, 'debug') && body && Object.keys(body).length)
    p.logger.log(4, 'debug', `params ${req.method} ${req.path}`, { params: body, idempotencyKey: key });
}

/**
 * A failed attempt, classified once: the facts decide both whether to retry and, if not, the error.
 * Throws the mapped error, or answers how long to wait before the next attempt (undefined: at once,
 * after a rate limit pauses the whole connection's throttle).
 */
async function onFailure(
  p: Pipeline,
  { req, path, key }: Prepared,
  error: unknown,
  record: AttemptRecord,
  retry: number,
  started: number,
): Promise<number | undefined> {
  const facts = failureFacts(error, record);
  if (isRateLimit(facts)) p.stats.rateLimited++;
  const decision =
    error instanceof ConnectorError || req.signal?.aborted ? { retry: false } : classify(facts);
  p.logger.log(
    3,
    'info',
    `${req.method} ${path} → ${facts.status ?? facts.errno ?? 'error'} (${Math.round(performance.now() - started)} ms)`,
  );
  const maxRetries = p.connection.throttle.maxRetries;
  if (!decision.retry || retry >= maxRetries) {
    p.stats.failed++;
    const mapped = toGatewayError(error, {
      method: req.method,
      path: req.path,
      attempts: retry + 1,
      ...(facts.status !== undefined ? { status: facts.status } : {}),
      ...(facts.errno ? { errno: facts.errno } : {}),
      ...(p.route.proxy ? { proxy: p.route.proxy.address } : {}),
      ...(record.nonJson ? { nonJson: record.nonJson } : {}),
      baseUrl: p.connection.baseUrl,
      timeoutMs: p.connection.timeoutMs,
      redact: p.redactor,
    });
    if (p.options.logThrownErrors !== false) p.logger.error(mapped.message, { code: mapped.code });
    throw mapped;
  }
  const reason = decision.reason as RetryReason;
  const delay =
    decision.afterMs !== undefined
      ? Math.min(decision.afterMs, MAX_RETRY_AFTER_MS)
      : backoffDelay(retry, p.backoff);
  // A rate limit concerns everybody on this connection, not just this caller.
  if (reason === 'rate_limit') await p.budget.pause(delay);
  p.stats.retries++;
  p.stats.retriesByReason[reason] = (p.stats.retriesByReason[reason] ?? 0) + 1;
  p.logger.warn(
    `retrying ${req.method} ${req.path} in ${Math.round(delay)} ms (${reason}, attempt ${retry + 2} of ${maxRetries + 1})`,
    { ...(key ? { idempotencyKey: key } : {}) },
  );
  return reason === 'rate_limit' ? undefined : delay;
}

/** One attempt through the SDK client, within the attempt's record (status, headers, exchanges). */
async function attempt(
  p: Pipeline,
  { req, path, body, key }: Prepared,
  record: AttemptRecord,
  binary: Binary,
): Promise<unknown> {
  const account = req.stripeAccount ?? p.connection.accountId;
  const signal = req.signal;
  const sdkOptions = {
    ...(key ? { idempotencyKey: key } : {}),
    ...(account ? { stripeAccount: account } : {}),
  };
  const call = attemptContext.run(record, () =>
    binary
      ? // As the SDK's own quotes.pdf: a streaming request to the `files` host (files.stripe.com;
        // for a custom host, that host). Error answers are still parsed as Stripe's JSON errors.
        p.stripe
          .rawRequest(req.method, path, body as any, {
            ...sdkOptions,
            streaming: true,
            apiBase: binary.apiBase,
          })
          .then((stream) => readBody(stream as IncomingMessage, signal))
      : p.stripe.rawRequest(req.method, path, body as any, sdkOptions),
  );
  if (!signal) return call;
  // The SDK can't cancel a request in flight; an abort stops our waiting for it. The listener
  // goes when the attempt settles: one signal often spans thousands of pages.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/**
 * Reads a streamed answer whole. A body cut off under us (reset, the SDK's timeout destroying the
 * request) becomes an SDK connection error, so the pipeline classifies and retries it like a
 * request that failed before its answer.
 */
async function readBody(
  stream: IncomingMessage,
  signal: AbortSignal | undefined,
): Promise<GatewayDownloadResult> {
  const contentType = String(stream.headers?.['content-type'] ?? 'application/octet-stream');
  const onAbort = () => stream.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (!stream.complete) throw Object.assign(new Error('the answer ended early'), { code: 'ECONNRESET' });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new Stripe.errors.StripeConnectionError({
      message: `the body of the answer was cut off: ${(error as Error).message}`,
      detail: error as Error,
    } as any);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return { contentType, body: Buffer.concat(chunks) };
}
