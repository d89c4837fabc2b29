/**
 * Chooses how requests reach the target (Stripe or a Stripe-compatible server) through the
 * connection's proxy, and builds the agent from the maintained proxy agent libraries.
 *
 * sslType, as this connector reads the seed (the Google connector's "Proxy SSL type"):
 * - AUTO:   an https:// target goes through a CONNECT tunnel (TLS end to end, the proxy sees only
 *           host:port); an http:// target is sent to the proxy as a plain forward request.
 * - TUNNEL: always a CONNECT tunnel, even for an http:// target.
 * - ALWAYS: the connection to the proxy itself is TLS (the proxy URL is used as https://), then as
 *           AUTO inside it: tunnel for https:// targets, forward for http:// ones.
 * - NEVER:  never a tunnel and never TLS to the proxy: every request is a forward request, so for an
 *           https:// target the proxy itself opens the TLS connection and sees the request in clear.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AgentConnectOpts } from 'agent-base';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { ConnectorError } from '../errors.ts';
import type { ProxySettings } from '../connection/load.ts';
import { DigestAuth } from './digest.ts';

export type ProxyMode = 'tunnel' | 'forward';

/** One proxy address and the agent that goes through it. */
export interface ProxyRoute {
  agent: http.Agent;
  mode: ProxyMode;
  /** The proxy's address without credentials, for messages. */
  address: string;
  tls: boolean;
  /** Set for DIGEST: forward requests need a per-request answer (see transport.ts). */
  digest?: DigestAuth;
}

export interface Route {
  /** The agent in use: the current proxy's, or the direct one without a proxy. */
  readonly agent: http.Agent;
  /** The proxy in use; absent without a proxy. */
  readonly proxy?: ProxyRoute;
  /** Every proxy address, in the order they are tried; empty without a proxy. */
  proxies: ProxyRoute[];
  /**
   * Index of the proxy in use. Failover (transport.ts) moves it to the next address when one is
   * unreachable, and it stays on the one that answered.
   */
  current: number;
  /** Closes every agent's sockets. */
  destroy(): void;
}

/** The error code of a proxy connection that took longer than the connect timeout. */
export const PROXY_CONNECT_TIMEOUT = 'EPROXYCONNECTTIMEOUT';

/**
 * Bounds the connection to the proxy (TCP, and for a tunnel the CONNECT answer): an unreachable
 * address must not hold a request for the OS's connect timeout (minutes) when another can serve.
 * Both agents open their socket with `net.connect(this.connectOpts)` before their first await, so
 * a per-connection abort signal can be slipped in for exactly that call.
 */
async function withConnectTimeout<T extends { destroy(): void }>(
  agent: { connectOpts: Record<string, unknown> },
  ms: number,
  address: string,
  connect: () => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const saved = agent.connectOpts;
  agent.connectOpts = { ...saved, signal: controller.signal };
  let pending: Promise<T>;
  try {
    // The socket is opened synchronously in here; the options go back before anything else runs.
    pending = connect();
  } finally {
    agent.connectOpts = saved;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // The signal destroys a plain socket at once; whatever still connects later is dropped.
      controller.abort();
      pending.then((socket) => socket.destroy()).catch(() => undefined);
      reject(
        Object.assign(new Error(`connecting to proxy ${address} timed out after ${ms} ms`), {
          code: PROXY_CONNECT_TIMEOUT,
        }),
      );
    }, ms);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function proxyMode(sslType: ProxySettings['sslType'], target: URL): { mode: ProxyMode; tls: boolean } {
  const httpsTarget = target.protocol === 'https:';
  switch (sslType) {
    case 'TUNNEL':
      return { mode: 'tunnel', tls: false };
    case 'NEVER':
      return { mode: 'forward', tls: false };
    case 'ALWAYS':
      return { mode: httpsTarget ? 'tunnel' : 'forward', tls: true };
    case 'AUTO':
    default:
      return { mode: httpsTarget ? 'tunnel' : 'forward', tls: false };
  }
}

/** The host:port being tunnelled to, for the CONNECT digest answer (its digest-uri). */
const tunnelTarget = new AsyncLocalStorage<string>();

class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1],
    private readonly targetTls: { ca?: string },
    private readonly connectTimeout: { ms: number; address: string },
  ) {
    super(proxy, options);
  }

  override connect(req: http.ClientRequest, opts: AgentConnectOpts) {
    const host = opts.host?.includes(':') ? `[${opts.host}]` : opts.host;
    // The agent's own TLS options apply to the proxy; the target's TLS (inside the tunnel) takes
    // its options from here, so the connection's extra CAs must be added for it too.
    const withCa = opts.secureEndpoint && this.targetTls.ca ? { ...opts, ca: this.targetTls.ca } : opts;
    const { ms, address } = this.connectTimeout;
    return tunnelTarget.run(`${host}:${opts.port}`, () =>
      withConnectTimeout(this as never, ms, address, () => super.connect(req, withCa)),
    );
  }
}

class ForwardAgent extends HttpProxyAgent<string> {
  constructor(
    proxy: string,
    options: ConstructorParameters<typeof HttpProxyAgent<string>>[1],
    private readonly connectTimeout: { ms: number; address: string },
  ) {
    super(proxy, options);
  }

  override connect(req: Parameters<HttpProxyAgent<string>['connect']>[0], opts: AgentConnectOpts) {
    const { ms, address } = this.connectTimeout;
    return withConnectTimeout(this as never, ms, address, () => super.connect(req, opts));
  }
}

export interface RouteOptions {
  baseUrl: string;
  proxy?: ProxySettings;
  ca?: string;
}

export function createRoute(options: RouteOptions): Route {
  const target = new URL(options.baseUrl);
  const tlsOpts = options.ca ? { ca: options.ca } : {};
  const { proxy } = options;
  if (!proxy) {
    // Our own keep-alive agent rather than the SDK's shared one: one pool per connection, closed
    // with it, and carrying the connection's extra CAs.
    const agent =
      target.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ...tlsOpts })
        : new http.Agent({ keepAlive: true });
    return { agent, proxies: [], current: 0, destroy: () => agent.destroy() };
  }
  const proxies = (proxy.urls ?? [proxy.url]).map((url) => proxyRoute(proxy, url, target, tlsOpts));
  const route: Route = {
    get agent() {
      return proxies[route.current].agent;
    },
    get proxy() {
      return proxies[route.current];
    },
    proxies,
    current: 0,
    destroy: () => proxies.forEach((p) => p.agent.destroy()),
  };
  return route;
}

function proxyRoute(proxy: ProxySettings, proxyUrl: URL, target: URL, tlsOpts: { ca?: string }): ProxyRoute {
  const { mode, tls } = proxyMode(proxy.sslType, target);
  const url = new URL(proxyUrl.href);
  if (proxy.sslType === 'NEVER' && url.protocol === 'https:') {
    throw new ConnectorError(
      'CONNECTION_INVALID',
      'proxy.sslType NEVER means no TLS to the proxy, but proxy.url is https://; use ALWAYS or an http:// url',
      { key: 'proxy.sslType' },
    );
  }
  if (tls) url.protocol = 'https:';
  const address = url.href.replace(/\/$/, '');
  const connectTimeout = { ms: proxy.connectTimeoutMs ?? 10_000, address };
  // BASIC travels in the URL the agents read it from; this URL never leaves this function.
  if (proxy.authScheme === 'BASIC') {
    url.username = encodeURIComponent(proxy.user ?? '');
    url.password = encodeURIComponent(proxy.password ?? '');
  }
  // One digest state per address: each proxy has its own nonces.
  const digest =
    proxy.authScheme === 'DIGEST' ? new DigestAuth(proxy.user ?? '', proxy.password ?? '') : undefined;
  const common = { keepAlive: true, ...tlsOpts };

  let agent: http.Agent;
  if (mode === 'tunnel') {
    if (digest) {
      agent = new TunnelAgent(
        url.href,
        {
          ...common,
          // Pre-emptive answer once a challenge is known; the first CONNECT goes without.
          headers: () => {
            const value = digest.authorize('CONNECT', tunnelTarget.getStore() ?? '');
            return value ? { 'Proxy-Authorization': value } : {};
          },
          onProxyAuth: async ({ response }) => {
            if (!digest.accept(response.headers['proxy-authenticate'])) {
              throw new ConnectorError(
                'PROXY_AUTH_FAILED',
                `proxy ${address} asked for authentication but offered no digest challenge`,
                {
                  proxy: address,
                },
              );
            }
            return {
              headers: { 'Proxy-Authorization': digest.authorize('CONNECT', tunnelTarget.getStore() ?? '')! },
            };
          },
        },
        tlsOpts,
        connectTimeout,
      );
    } else {
      agent = new TunnelAgent(url.href, common, tlsOpts, connectTimeout);
    }
  } else {
    agent = new ForwardAgent(url.href, common, connectTimeout);
  }
  return { agent, mode, address, tls, ...(digest ? { digest } : {}) };
}
