/**
 * The SDK's HTTP client, wrapped. The SDK keeps its own wire format and its Node client; this layer
 * adds what the gateway needs at the level of one HTTP exchange:
 * - the status and headers of each attempt, handed to the gateway through async context (the SDK
 *   hides them for non-JSON answers, which is exactly what proxies send);
 * - proxy answers (407, a refusal page) told apart from Stripe's and turned into clear errors;
 * - the digest answer for forward-proxied requests (tunnels answer it in the agent);
 * - failover between proxy addresses: when the proxy in use refuses the connection, is unreachable
 *   or does not accept it in time, the same exchange goes to the next address (nothing reached the
 *   proxy, so nothing can be done twice), and the route stays on the address that answered;
 * - verbosity 5 traces: request and response headers and bodies, TLS protocol, cipher and peer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import Stripe from 'stripe';
import { ConnectorError } from '../errors.ts';
import type { Logger } from '../connection/logger.ts';
import { PROXY_CONNECT_TIMEOUT, type ProxyRoute, type Route } from './proxy.ts';

export interface AttemptRecord {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  /** Physical HTTP exchanges for this logical attempt (the SDK re-sends once on a closed socket). */
  exchanges: number;
  /** The node error code of a transport failure (kept here, as the SDK is shown another). */
  errno?: string;
  /** An error answer that was not JSON (a 431 or 502 page from a server or balancer in the way). */
  nonJson?: NonJsonAnswer;
}

export interface NonJsonAnswer {
  contentType?: string;
  /** The start of the body, as text, tags and runs of space removed. */
  excerpt: string;
}

/** The start of a non-JSON body, readable in one line of an error message. */
function excerptOf(text: string): string {
  const plain = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 120 ? `${plain.slice(0, 120)}…` : plain;
}

/**
 * For an error answer that is not JSON, reads its text for the error message instead of letting the
 * SDK call it "Invalid JSON received from the Stripe API"; the SDK still fails the request.
 */
function captureNonJson(res: HttpClientResponse, status: number, headers: Record<string, unknown>): void {
  if (status < 400 || isJson(headers)) return;
  const record = attemptContext.getStore();
  res.toJSON = async () => {
    const raw = res.getRawResponse() as IncomingMessage;
    let text = '';
    for await (const chunk of raw) if (text.length < 4096) text += String(chunk);
    const answer: NonJsonAnswer = {
      ...(headers['content-type'] ? { contentType: String(headers['content-type']) } : {}),
      excerpt: excerptOf(text),
    };
    if (record) record.nonJson = answer;
    throw new Error(`HTTP ${status} answer is not JSON`);
  };
}

export const attemptContext = new AsyncLocalStorage<AttemptRecord>();

type Headers = Record<string, unknown>;
type HttpClient = Stripe.HttpClient;
type HttpClientResponse = Stripe.HttpClientResponse;

export interface TransportOptions {
  route: Route;
  logger: Logger;
  /** Counts every physical HTTP exchange, for stats. */
  onExchange?: () => void;
  /** Counts every move to the next proxy address, for stats. */
  onFailover?: () => void;
}

/** Failures of the connection to the proxy itself, where another address may do better. */
const FAILOVER_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  PROXY_CONNECT_TIMEOUT,
]);

function isJson(headers: Record<string, unknown>): boolean {
  return /json/i.test(String(headers['content-type'] ?? ''));
}

/** One transport's ways out and settings, shared by its exchanges. */
interface Wire {
  route: Route;
  logger: Logger;
  options: TransportOptions;
  /** One SDK client per way out: the direct agent, or one per proxy address. */
  clients: HttpClient[];
}

/** One physical HTTP exchange through the SDK's Node client, counted and traced. */
async function send(
  w: Wire,
  inner: HttpClient,
  host: string,
  port: string,
  path: string,
  method: string,
  headers: Headers,
  body: string,
  protocol: string,
  timeout: number,
): Promise<HttpClientResponse> {
  const { options, logger } = w;
  options.onExchange?.();
  const record = attemptContext.getStore();
  if (record) record.exchanges++;
  if (logger.wants(5, 'debug')) {
    logger.log(5, 'debug', `> ${method} ${protocol}://${host}:${port}${path}`, {
      headers,
      body: body || undefined,
    });
  }
  try {
    return (await inner.makeRequest(
      host,
      port,
      path,
      method,
      headers as any,
      body,
      protocol,
      timeout,
    )) as HttpClientResponse;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (record && code) record.errno = code;
    // The SDK re-sends once, after a fixed 0.5 s, on a socket closed under it, even with
    // retries off. Hiding the code keeps every retry in the gateway: counted, throttled, logged;
    // the gateway reads the real code from the attempt record.
    if (code === 'ECONNRESET' || code === 'EPIPE')
      throw new Error((error as Error).message, { cause: error });
    throw error;
  }
}

/**
 * One exchange through the way out at `index`: the digest answer for a forward proxy, the attempt's
 * status and headers recorded, proxy refusals turned into clear errors, non-JSON error bodies read.
 */
async function exchange(
  w: Wire,
  index: number,
  host: string,
  port: string,
  path: string,
  method: string,
  headers: Headers,
  body: string,
  protocol: string,
  timeout: number,
): Promise<HttpClientResponse> {
  const { route, logger, clients } = w;
  const proxy: ProxyRoute | undefined = route.proxies[index];
  const inner = clients[index];
  const absolute = `${protocol}://${host}:${port}${path}`;
  let hdrs: Headers = { ...(headers as Headers) };
  if (proxy?.mode === 'forward' && proxy.digest?.hasChallenge) {
    hdrs['Proxy-Authorization'] = proxy.digest.authorize(method, absolute);
  }
  let res = await send(w, inner, host, port, path, method, hdrs, body, protocol, timeout);
  let resHeaders = res.getHeaders() as Record<string, string | string[] | undefined>;

  // A forward proxy answers the request itself: take its digest challenge and ask again, once.
  if (
    res.getStatusCode() === 407 &&
    proxy?.mode === 'forward' &&
    proxy.digest?.accept(resHeaders['proxy-authenticate'])
  ) {
    res.dispose?.();
    hdrs = { ...hdrs, 'Proxy-Authorization': proxy.digest.authorize(method, absolute) };
    res = await send(w, inner, host, port, path, method, hdrs, body, protocol, timeout);
    resHeaders = res.getHeaders() as Record<string, string | string[] | undefined>;
  }

  const status = res.getStatusCode();
  const record = attemptContext.getStore();
  if (record) {
    record.status = status;
    record.headers = resHeaders;
  }
  if (logger.wants(5, 'debug')) {
    const raw = res.getRawResponse() as IncomingMessage | undefined;
    const socket = raw?.socket as TLSSocket | undefined;
    const tls =
      socket && typeof socket.getProtocol === 'function'
        ? {
            protocol: socket.getProtocol(),
            cipher: socket.getCipher()?.name,
            peer: socket.getPeerCertificate?.()?.subject?.CN,
            authorized: socket.authorized,
          }
        : undefined;
    logger.log(5, 'debug', `< ${status} ${method} ${path}`, {
      headers: resHeaders,
      ...(tls ? { tls } : {}),
    });
  }

  if (proxy && status === 407) {
    res.dispose?.();
    throw new ConnectorError(
      'PROXY_AUTH_FAILED',
      `proxy ${proxy.address} rejected the credentials (407 Proxy Authentication Required) for ${method} ${path}`,
      {
        proxy: proxy.address,
        scheme: String(resHeaders['proxy-authenticate'] ?? '').split(/\s/)[0] || undefined,
      },
    );
  }
  // A proxy's own refusal or gateway error comes as an HTML/text page, Stripe's as JSON.
  if (proxy && [403, 502, 503, 504].includes(status) && !isJson(resHeaders)) {
    res.dispose?.();
    throw new ConnectorError(
      'PROXY_FAILED',
      `proxy ${proxy.address} refused ${method} ${path} (HTTP ${status}${resHeaders['x-squid-error'] ? `, ${resHeaders['x-squid-error']}` : ''})`,
      { proxy: proxy.address, status },
    );
  }

  captureNonJson(res, status, resHeaders);
  if (logger.wants(5, 'debug')) {
    const toJSON = res.toJSON.bind(res);
    res.toJSON = async () => {
      const json = await toJSON();
      logger.log(5, 'debug', `< body ${method} ${path}`, { body: json });
      return json;
    };
  }
  return res;
}

export function createTransport(options: TransportOptions): HttpClient {
  const { route, logger } = options;
  // One SDK client per way out: the direct agent, or one per proxy address.
  const clients = route.proxies.length
    ? route.proxies.map((p) => Stripe.createNodeHttpClient(p.agent))
    : [Stripe.createNodeHttpClient(route.agent)];
  const wire: Wire = { route, logger, options, clients };

  return {
    getClientName: () => 'node',
    async makeRequest(host, port, path, method, headers, body, protocol, timeout) {
      const failures: string[] = [];
      for (;;) {
        const index = route.current;
        try {
          return await exchange(
            wire,
            index,
            host,
            port,
            path,
            method,
            headers as Headers,
            body,
            protocol,
            timeout,
          );
        } catch (error) {
          const code = (error as { code?: string }).code;
          const count = route.proxies.length;
          if (count < 2 || !code || !FAILOVER_CODES.has(code)) throw error;
          const from = route.proxies[index];
          failures.push(`${from.address} (${code})`);
          if (failures.length >= count) {
            throw new ConnectorError(
              'PROXY_FAILED',
              `${method} ${path}: no proxy is reachable: ${failures.join(', ')}`,
              { proxies: route.proxies.map((p) => p.address), errno: code },
              { cause: error },
            );
          }
          // A concurrent exchange may have moved on already; then follow it.
          if (route.current === index) route.current = (index + 1) % count;
          options.onFailover?.();
          logger.log(
            3,
            'info',
            `proxy ${from.address} is unreachable (${code}) for ${method} ${path}; trying ${route.proxies[route.current].address}`,
          );
        }
      }
    },
  } as HttpClient;
}
