/** A connection as it may be shown (`connection show`, the console): every setting, no secret. */
import type { Connection } from './load.ts';

export function describeConnection(c: Connection) {
  return {
    name: c.name,
    source: c.source,
    mode: c.mode,
    baseUrl: c.baseUrl,
    apiVersion: c.apiVersion,
    ...(c.accountId ? { accountId: c.accountId } : {}),
    ...(c.proxy
      ? {
          proxy: {
            ...(c.proxy.urls.length > 1
              ? { urls: c.proxy.urls.map((u) => u.href.replace(/\/$/, '')) }
              : { url: c.proxy.url.href.replace(/\/$/, '') }),
            authScheme: c.proxy.authScheme,
            sslType: c.proxy.sslType,
            ...(c.proxy.user ? { user: c.proxy.user } : {}),
          },
        }
      : {}),
    logging: c.logging,
    throttle: c.throttle,
    timeoutMs: c.timeoutMs,
  };
}
