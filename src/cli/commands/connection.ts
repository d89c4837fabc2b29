/**
 * `connection test`: one GET /v1/account through the full pipeline, then either the account, mode
 * and API version, or a diagnosis a person can act on (bad key, wrong mode, proxy refused, proxy
 * authentication failed, TLS error, timeout, unreachable). `connection show`: the validated
 * connection with secrets redacted.
 */
import type { Command } from 'commander';
import { ConnectorError, toConnectorError, type ErrorCode } from '../../errors.ts';
import type { Connection } from '../../connection/load.ts';
import { addConnectionOptions, connectionFromOptions, type ConnectionOptions } from '../context.ts';
import { printFields, printJson } from '../output.ts';

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

export function diagnose(error: ConnectorError): string {
  if (error.code === 'CONNECTION_INVALID' && /wrong mode/.test(error.message)) {
    return 'wrong mode: the key is for the other mode than the connection declares';
  }
  if (error.code === 'STRIPE_PERMISSION' && /account/i.test(error.message))
    return DIAGNOSES.STRIPE_PERMISSION!;
  return DIAGNOSES[error.code] ?? 'the request failed';
}

function describeConnection(c: Connection) {
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

interface TestOptions extends ConnectionOptions {
  json?: boolean;
  timeout?: string;
}

export function register(program: Command): void {
  const connection = program.command('connection').description('Check and show the connection to Stripe');

  addConnectionOptions(
    connection
      .command('test')
      .description('Call GET /v1/account and report the account, mode and API version, or what is wrong')
      .option('--json', 'print JSON')
      .option('--timeout <ms>', 'per-attempt timeout for this test', '15000'),
  ).action(async (opts: TestOptions) => {
    const started = performance.now();
    let conn: Connection | undefined;
    try {
      conn = await connectionFromOptions(opts);
      // Imported here, not at the top: declaring the program must not load the Stripe SDK.
      const { createGatewayFromConnection } = await import('../../gateway/index.ts');
      const timeoutMs = Math.min(conn.timeoutMs, Number(opts.timeout) || 15_000);
      const gateway = createGatewayFromConnection(
        {
          ...conn,
          timeoutMs,
          throttle: { ...conn.throttle, maxRetries: Math.min(conn.throttle.maxRetries, 1) },
        },
        { logThrownErrors: false },
      );
      try {
        const account = await gateway.request<Record<string, any>>({ method: 'GET', path: '/v1/account' });
        const served = (account as { lastResponse?: { apiVersion?: string } }).lastResponse?.apiVersion;
        const result = {
          ok: true,
          connection: conn.name,
          account: account.id as string,
          ...(account.business_profile?.name ? { accountName: account.business_profile.name } : {}),
          mode: conn.mode,
          apiVersion: served ?? conn.apiVersion,
          baseUrl: conn.baseUrl,
          ...(conn.proxy
            ? {
                proxy: `${conn.proxy.urls.map((u) => u.host).join(', ')} (${conn.proxy.authScheme}, ${conn.proxy.sslType})`,
              }
            : {}),
          elapsedMs: Math.round(performance.now() - started),
        };
        if (opts.json) return printJson(result);
        printFields(result);
      } finally {
        await gateway.close();
      }
    } catch (error) {
      const e = toConnectorError(error);
      const diagnosis = diagnose(e);
      if (opts.json) {
        printJson({
          ok: false,
          ...(conn ? { connection: conn.name, baseUrl: conn.baseUrl } : {}),
          diagnosis,
          error: e.toJSON(),
        });
        process.exitCode = e.exitCode;
        return;
      }
      // The CLI's error reporter prints the message; the diagnosis goes first, as the hint.
      throw new ConnectorError(
        e.code,
        `${diagnosis}\n${e.message}`,
        { ...e.details, hint: undefined },
        { cause: error },
      );
    }
  });

  addConnectionOptions(
    connection
      .command('show')
      .description('Validate the connection and print it, secrets left out')
      .option('--json', 'print JSON'),
  ).action(async (opts: ConnectionOptions & { json?: boolean }) => {
    const described = describeConnection(await connectionFromOptions(opts));
    if (opts.json) return printJson(described);
    printFields(described);
  });
}
