/**
 * The connection check: one GET /v1/account through the full pipeline, answered with the account,
 * mode and API version, or with a diagnosis a person can act on (bad key, wrong mode, proxy refused,
 * proxy authentication failed, TLS error, timeout, unreachable). The CLI's `connection test` and
 * `start`, and the server's health check, all call this.
 */
import { ConnectorError, toConnectorError, type ErrorCode } from '../errors.ts';
import type { Connection } from '../connection/load.ts';
import type { Gateway } from './types.ts';
import { createGatewayFromConnection } from './index.ts';

export interface AccountSummary {
  id: string;
  name?: string;
  /** The API version the server answered with, when it says. */
  apiVersion?: string;
}

/** GET /v1/account: the one account check. */
export async function fetchAccount(gateway: Gateway): Promise<AccountSummary> {
  const account = await gateway.request<Record<string, any>>({ method: 'GET', path: '/v1/account' });
  const served = (account as { lastResponse?: { apiVersion?: string } }).lastResponse?.apiVersion;
  return {
    id: String(account.id),
    ...(account.business_profile?.name ? { name: String(account.business_profile.name) } : {}),
    ...(served ? { apiVersion: served } : {}),
  };
}

const DIAGNOSES: Partial<Record<ErrorCode, string>> = {
  STRIPE_AUTHENTICATION: 'bad key: the server rejected the API key',
  STRIPE_PERMISSION: 'the key is not allowed to read the account (a restricted key without that permission?)',
  PROXY_AUTH_FAILED: 'proxy authentication failed: check proxy.user, proxy.password and proxy.authScheme',
  PROXY_FAILED: 'proxy refused: the proxy is unreachable or refused the request',
  TLS_FAILED: 'TLS error: the certificate could not be verified or TLS failed (caFile? proxy.sslType?)',
  TIMEOUT: 'timeout: no answer in time (network, proxy or baseUrl?)',
  CONNECTION_FAILED: 'cannot reach the server: check baseUrl and the network',
  STRIPE_NOT_FOUND: 'the account was not found (a wrong accountId?)',
  STRIPE_RATE_LIMITED: 'rate limited: try again later',
  SECRET_UNRESOLVED: 'a secret reference could not be resolved',
  CONNECTION_INVALID: 'the connection is invalid',
};

/** What a failed connection check means, in one line. */
export function diagnose(error: ConnectorError): string {
  if (error.code === 'CONNECTION_INVALID' && /wrong mode/.test(error.message)) {
    return 'wrong mode: the key is for the other mode than the connection declares';
  }
  if (error.code === 'CONNECTION_INVALID' && /not a Stripe API key/.test(error.message)) {
    return 'bad key: it is not a Stripe API key (sk_/rk_, test/live, letters, digits and "_")';
  }
  return DIAGNOSES[error.code] ?? 'the request failed';
}

export interface ConnectionCheck {
  ok: true;
  connection: string;
  account: string;
  accountName?: string;
  mode: Connection['mode'];
  apiVersion: string;
  baseUrl: string;
  proxy?: string;
  elapsedMs: number;
}

export interface ConnectionFailure {
  ok: false;
  connection?: string;
  baseUrl?: string;
  diagnosis: string;
  error: ConnectorError;
}

/**
 * Checks a connection (given, or built by `load`, whose errors are diagnosed too) with a short
 * timeout and at most one retry: a check should answer quickly, not wait out a long backoff.
 */
export async function checkConnection(
  load: Connection | (() => Connection | Promise<Connection>),
  opts: { timeoutMs?: number } = {},
): Promise<ConnectionCheck | ConnectionFailure> {
  const started = performance.now();
  let conn: Connection | undefined;
  try {
    conn = typeof load === 'function' ? await load() : load;
    const gateway = createGatewayFromConnection(
      {
        ...conn,
        timeoutMs: Math.min(conn.timeoutMs, opts.timeoutMs ?? 15_000),
        throttle: { ...conn.throttle, maxRetries: Math.min(conn.throttle.maxRetries, 1) },
      },
      { logThrownErrors: false },
    );
    try {
      const account = await fetchAccount(gateway);
      return {
        ok: true,
        connection: conn.name,
        account: account.id,
        ...(account.name ? { accountName: account.name } : {}),
        mode: conn.mode,
        apiVersion: account.apiVersion ?? conn.apiVersion,
        baseUrl: conn.baseUrl,
        ...(conn.proxy
          ? {
              proxy: `${conn.proxy.urls.map((u) => u.host).join(', ')} (${conn.proxy.authScheme}, ${conn.proxy.sslType})`,
            }
          : {}),
        elapsedMs: Math.round(performance.now() - started),
      };
    } finally {
      await gateway.close();
    }
  } catch (error) {
    const e = toConnectorError(error);
    return {
      ok: false,
      ...(conn ? { connection: conn.name, baseUrl: conn.baseUrl } : {}),
      diagnosis: diagnose(e),
      error: e,
    };
  }
}
