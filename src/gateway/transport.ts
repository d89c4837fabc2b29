/**
 * The SDK's HTTP client, wrapped. The SDK keeps its own wire format and its Node client; this layer
 * adds what the gateway needs at the level of one HTTP exchange:
 * - the status and headers of each attempt, handed to the gateway through async context (the SDK
 *   hides them for non-JSON answers, which is exactly what proxies send);
 * - proxy answers (407, a refusal page) told apart from Stripe's and turned into clear errors;
 * - the digest answer for forward-proxied requests (tunnels answer it in the agent);
 * - verbosity 5 traces: request and response headers and bodies, TLS protocol, cipher and peer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import Stripe from 'stripe';
import { ConnectorError } from '../errors.ts';
import type { Logger } from '../connection/logger.ts';
import type { Route } from './proxy.ts';

export interface AttemptRecord {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  /** Physical HTTP exchanges for this logical attempt (the SDK re-sends once on a closed socket). */
  exchanges: number;
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
}

function isJson(headers: Record<string, unknown>): boolean {
  return /json/i.test(String(headers['content-type'] ?? ''));
}

export function createTransport(options: TransportOptions): HttpClient {
  const { route, logger } = options;
  const inner = Stripe.createNodeHttpClient(route.agent);
  const proxy = route.proxy;

  async function send(
    host: string,
    port: string,
    path: string,
    method: string,
    headers: Headers,
    body: string,
    protocol: string,
    timeout: number,
  ): Promise<HttpClientResponse> {
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
      // The SDK re-sends once, after a fixed 0.5 s, on a socket closed under it, even with
      // retries off. Hiding the code keeps every retry in the gateway: counted, throttled, logged.
      if (code === 'ECONNRESET' || code === 'EPIPE') {
        throw Object.assign(new Error((error as Error).message, { cause: error }), { transportCode: code });
      }
      throw error;
    }
  }

  return {
    getClientName: () => 'node',
    async makeRequest(host, port, path, method, headers, body, protocol, timeout) {
      const absolute = `${protocol}://${host}:${port}${path}`;
      let hdrs: Headers = { ...(headers as Headers) };
      if (proxy?.mode === 'forward' && proxy.digest?.hasChallenge) {
        hdrs['Proxy-Authorization'] = proxy.digest.authorize(method, absolute);
      }
      let res = await send(host, port, path, method, hdrs, body, protocol, timeout);
      let resHeaders = res.getHeaders() as Record<string, string | string[] | undefined>;

      // A forward proxy answers the request itself: take its digest challenge and ask again, once.
      if (
        res.getStatusCode() === 407 &&
        proxy?.mode === 'forward' &&
        proxy.digest?.accept(resHeaders['proxy-authenticate'])
      ) {
        res.dispose?.();
        hdrs = { ...hdrs, 'Proxy-Authorization': proxy.digest.authorize(method, absolute) };
        res = await send(host, port, path, method, hdrs, body, protocol, timeout);
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

      if (logger.wants(5, 'debug')) {
        const toJSON = res.toJSON.bind(res);
        res.toJSON = async () => {
          const json = await toJSON();
          logger.log(5, 'debug', `< body ${method} ${path}`, { body: json });
          return json;
        };
      }
      return res;
    },
  } as HttpClient;
}
