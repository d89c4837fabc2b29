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
import { createRedactor } from '../connection/redact.ts';
import type {
  Gateway,
  GatewayDownload,
  GatewayDownloadResult,
  GatewayRequest,
  GatewayStats,
} from './types.ts';
import { realClock, TokenBucket, type Clock } from './throttle.ts';
import {
  backoffDelay,
  classify,
  isRateLimit,
  DEFAULT_BACKOFF,
  MAX_RETRY_AFTER_MS,
  type BackoffOptions,
  type RetryReason,
} from './retry.ts';
import { toGatewayError, transportCause } from './errors.ts';
import { createRoute } from './proxy.ts';
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
  throttle?: { tps?: number; burst?: number; maxRetries?: number };
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
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const bucket = new TokenBucket({ tps: connection.throttle.tps, burst: connection.throttle.burst, clock });
  const route = createRoute({
    baseUrl: connection.baseUrl,
    ...(connection.proxy ? { proxy: connection.proxy } : {}),
    ...(connection.ca ? { ca: connection.ca } : {}),
  });

  const stats: GatewayStats = {
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

  const base = new URL(connection.baseUrl);
  const stripe = new Stripe(connection.apiKey, {
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

  if (connection.proxy && route.proxy && logger.wants(3, 'info')) {
    const addresses = route.proxies.map((p) => p.address).join(', then ');
    logger.log(
      3,
      'info',
      `proxy ${addresses} (${connection.proxy.authScheme}, sslType ${connection.proxy.sslType} → ${route.proxy.mode}${route.proxy.tls ? ' over TLS' : ''})`,
    );
  }
  if (connection.proxy?.sslType === 'NEVER' && base.protocol === 'https:') {
    logger.warn('proxy sslType NEVER: requests to an https target reach the proxy unencrypted');
  }

  let closed = false;

  async function attempt(
    req: GatewayRequest,
    path: string,
    body: Record<string, unknown> | undefined,
    key: string | undefined,
    record: AttemptRecord,
    binary: { apiBase: 'files' | 'api' } | undefined,
  ): Promise<unknown> {
    const account = req.stripeAccount ?? connection.accountId;
    const signal = req.signal;
    const sdkOptions = {
      ...(key ? { idempotencyKey: key } : {}),
      ...(account ? { stripeAccount: account } : {}),
    };
    const call = attemptContext.run(record, () =>
      binary
        ? // As the SDK's own quotes.pdf: a streaming request to the `files` host (files.stripe.com;
          // for a custom host, that host). Error answers are still parsed as Stripe's JSON errors.
          stripe
            .rawRequest(req.method, path, body as any, {
              ...sdkOptions,
              streaming: true,
              apiBase: binary.apiBase,
            })
            .then((stream) => readBody(stream as IncomingMessage, signal))
        : stripe.rawRequest(req.method, path, body as any, sdkOptions),
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

  async function request<T>(req: GatewayRequest): Promise<T> {
    return (await run(req, undefined)) as T;
  }

  async function download(req: GatewayDownload): Promise<GatewayDownloadResult> {
    const apiBase = req.apiBase ?? 'files';
    if (apiBase !== 'files' && apiBase !== 'api') {
      throw new ConnectorError('INVALID_ARGUMENT', `unknown apiBase ${String(apiBase)} for ${req.path}`);
    }
    return (await run(req, { apiBase })) as GatewayDownloadResult;
  }

  async function run(
    req: GatewayRequest,
    binary: { apiBase: 'files' | 'api' } | undefined,
  ): Promise<unknown> {
    if (closed) throw new ConnectorError('INTERNAL', `gateway ${connection.name} is closed`);
    if (!METHODS.has(req.method)) {
      throw new ConnectorError('INVALID_ARGUMENT', `unsupported HTTP method ${req.method} for ${req.path}`);
    }
    if (!req.path.startsWith('/'))
      throw new ConnectorError('INVALID_ARGUMENT', `path must start with /: ${req.path}`);
    stats.requests++;
    // One key per logical write, reused by every retry, so a retried create can't create twice.
    const key = req.method === 'POST' ? (req.idempotencyKey ?? `sc-${randomUUID()}`) : undefined;
    let path = req.path;
    let body: Record<string, unknown> | undefined;
    if (req.method === 'POST') body = req.params ?? {};
    else if (req.params && Object.keys(req.params).length) {
      // The SDK's rawRequest takes params only for POST; for reads they go in the query string,
      // encoded as Stripe expects (brackets for nesting, indices for arrays).
      path += (path.includes('?') ? '&' : '?') + encodeParams(req.params);
    }
    checkRequestSize(req.method, path, body);

    const maxRetries = connection.throttle.maxRetries;
    for (let retry = 0; ; retry++) {
      const waited = await bucket.acquire(req.signal);
      if (waited > 0) {
        stats.throttledWaits++;
        stats.throttledMs += waited;
        if (waited >= 5)
          logger.log(3, 'info', `throttle: waited ${Math.round(waited)} ms for ${req.method} ${req.path}`, {
            tps: bucket.tps,
          });
      }
      stats.attempts++;
      const record: AttemptRecord = { exchanges: 0 };
      const started = performance.now();
      try {
        const result = await attempt(req, path, body, key, record, binary);
        stats.succeeded++;
        const file = binary ? (result as GatewayDownloadResult) : undefined;
        logger.log(
          3,
          'info',
          `${req.method} ${path} → ${record.status ?? 200} (${Math.round(performance.now() - started)} ms${retry ? `, attempt ${retry + 1}` : ''}${file ? `, ${file.body.length} bytes ${file.contentType}` : ''})`,
        );
        if (logger.wants(4, 'debug') && body && Object.keys(body).length)
          logger.log(4, 'debug', `params ${req.method} ${req.path}`, { params: body, idempotencyKey: key });
        return result;
      } catch (error) {
        const e = error as Record<string, any>;
        const status: number | undefined =
          e?.type === 'StripeConnectionError' ? undefined : (e?.statusCode ?? record.status);
        const facts = {
          ...(status !== undefined ? { status } : {}),
          headers: e?.headers ?? record.headers,
          code: e?.code,
          message: e?.message,
          errno:
            transportCause(error)?.code ??
            (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) ? e.code : undefined),
        };
        if (isRateLimit(facts)) stats.rateLimited++;
        const decision =
          error instanceof ConnectorError || req.signal?.aborted ? { retry: false } : classify(facts);
        logger.log(
          3,
          'info',
          `${req.method} ${path} → ${status ?? facts.errno ?? 'error'} (${Math.round(performance.now() - started)} ms)`,
        );
        if (!decision.retry || retry >= maxRetries) {
          stats.failed++;
          const mapped = toGatewayError(error, {
            method: req.method,
            path: req.path,
            attempts: retry + 1,
            ...(status !== undefined ? { status } : {}),
            ...(route.proxy ? { proxy: route.proxy.address } : {}),
            ...(record.nonJson ? { nonJson: record.nonJson } : {}),
            baseUrl: connection.baseUrl,
            timeoutMs: connection.timeoutMs,
            redact: redactor,
          });
          if (options.logThrownErrors !== false) logger.error(mapped.message, { code: mapped.code });
          throw mapped;
        }
        const reason = decision.reason as RetryReason;
        const delay =
          decision.afterMs !== undefined
            ? Math.min(decision.afterMs, MAX_RETRY_AFTER_MS)
            : backoffDelay(retry, backoff);
        // A rate limit concerns everybody on this connection, not just this caller.
        if (reason === 'rate_limit') bucket.pause(delay);
        stats.retries++;
        stats.retriesByReason[reason] = (stats.retriesByReason[reason] ?? 0) + 1;
        logger.warn(
          `retrying ${req.method} ${req.path} in ${Math.round(delay)} ms (${reason}, attempt ${retry + 2} of ${maxRetries + 1})`,
          {
            ...(key ? { idempotencyKey: key } : {}),
          },
        );
        if (reason !== 'rate_limit') await clock.sleep(delay, req.signal);
      }
    }
  }

  return {
    mode: connection.mode,
    apiVersion: connection.apiVersion,
    name: connection.name,
    stats,
    request,
    download,
    async close() {
      closed = true;
      route.destroy();
    },
  };
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
