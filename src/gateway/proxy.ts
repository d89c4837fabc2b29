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

export interface Route {
  agent: http.Agent;
  /** Absent without a proxy. */
  proxy?: {
    mode: ProxyMode;
    /** The proxy's address without credentials, for messages. */
    address: string;
    tls: boolean;
    /** Set for DIGEST: forward requests need a per-request answer (see transport.ts). */
    digest?: DigestAuth;
  };
}

export function proxyMode(sslType: ProxySettings['sslType'], target: URL): { mode: ProxyMode; tls: boolean } {
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
  ) {
    super(proxy, options);
  }

  override connect(req: http.ClientRequest, opts: AgentConnectOpts) {
    const host = opts.host?.includes(':') ? `[${opts.host}]` : opts.host;
    // The agent's own TLS options apply to the proxy; the target's TLS (inside the tunnel) takes
    // its options from here, so the connection's extra CAs must be added for it too.
    const withCa = opts.secureEndpoint && this.targetTls.ca ? { ...opts, ca: this.targetTls.ca } : opts;
    return tunnelTarget.run(`${host}:${opts.port}`, () => super.connect(req, withCa));
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
    return { agent };
  }

  const { mode, tls } = proxyMode(proxy.sslType, target);
  const url = new URL(proxy.url.href);
  if (proxy.sslType === 'NEVER' && url.protocol === 'https:') {
    throw new ConnectorError(
      'CONNECTION_INVALID',
      'proxy.sslType NEVER means no TLS to the proxy, but proxy.url is https://; use ALWAYS or an http:// url',
      { key: 'proxy.sslType' },
    );
  }
  if (tls) url.protocol = 'https:';
  const address = url.href.replace(/\/$/, '');
  // BASIC travels in the URL the agents read it from; this URL never leaves this function.
  if (proxy.authScheme === 'BASIC') {
    url.username = encodeURIComponent(proxy.user ?? '');
    url.password = encodeURIComponent(proxy.password ?? '');
  }
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
      );
    } else {
      agent = new TunnelAgent(url.href, common, tlsOpts);
    }
  } else {
    agent = new HttpProxyAgent(url.href, common);
  }
  return { agent, proxy: { mode, address, tls, ...(digest ? { digest } : {}) } };
}
