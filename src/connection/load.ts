/**
 * Builds a resolved Connection from a file (YAML or JSON), from an object in code, or from the
 * environment (STRIPE_API_KEY, STRIPE_ACCOUNT, STRIPE_API_BASE). Everything is checked here, once,
 * so the gateway can trust what it is given.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readYamlObject } from './yaml-file.ts';
import { ConnectorError } from '../errors.ts';
import { DEFAULT_API_VERSION } from '../catalog/index.ts';
import { applyAliases, connectionSchema, describeIssues, type ConnectionFileInput } from './schema.ts';
import { isSecretReference, looksLikeSecretLiteral, resolveSecret, type SecretContext } from './secrets.ts';

export type Mode = 'test' | 'live';
export type ProxyAuthScheme = 'BASIC' | 'DIGEST' | 'NONE';
export type ProxySslType = 'AUTO' | 'ALWAYS' | 'NEVER' | 'TUNNEL';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface ProxySettings {
  /** Without credentials: those live in user/password so they can't leak through a logged URL. */
  url: URL;
  /** Every address, in the order they are tried (`url` is the first). */
  urls: URL[];
  /** How long connecting to one proxy may take before the next address is tried. */
  connectTimeoutMs: number;
  authScheme: ProxyAuthScheme;
  user?: string;
  password?: string;
  sslType: ProxySslType;
}

export interface Connection {
  name: string;
  description?: string;
  labels: Record<string, string>;
  apiKey: string;
  mode: Mode;
  accountId?: string;
  apiVersion: string;
  baseUrl: string;
  /** PEM text of extra trusted CAs. */
  ca?: string;
  timeoutMs: number;
  proxy?: ProxySettings;
  logging: { enabled: boolean; level: LogLevel; verbosity: 1 | 2 | 3 | 4 | 5 };
  throttle: {
    tps: number;
    burst: number;
    maxRetries: number;
    /** Scale-out: one budget for all nodes on the store (gateway/budget.ts). */
    shared?: boolean;
    budgetKey?: string;
    budgets?: Array<{ limit: number; intervalMs: number; burst?: number }>;
  };
  /** Where it came from, for messages: a file path, "code" or "environment". */
  source: string;
}

export const STRIPE_API_BASE = 'https://api.stripe.com';

/**
 * Stripe's documented limits are 25 requests/s in test mode and 100/s in live mode; the defaults stay
 * a little below so that a single connection never earns 429s on its own.
 */
export const DEFAULT_TPS: Record<Mode, number> = { test: 24, live: 95 };

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Files may hold only references; code may pass values. */
  allowLiteralSecrets?: boolean;
  baseDir?: string;
  source?: string;
  /**
   * Fill what the input leaves unset from the environment, as the CLI does: STRIPE_API_BASE for
   * baseUrl, STRIPE_ACCOUNT for accountId (the key already defaults to env:STRIPE_API_KEY). What the
   * input sets always wins.
   */
  envDefaults?: boolean;
}

/** The environment variables that fill a connection's unset settings, by setting. */
export const ENV_DEFAULTS = { baseUrl: 'STRIPE_API_BASE', accountId: 'STRIPE_ACCOUNT' } as const;

function withEnvironmentDefaults(input: unknown, env: Record<string, string | undefined>): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [setting, variable] of Object.entries(ENV_DEFAULTS)) {
    if (out[setting] === undefined && env[variable]) out[setting] = env[variable];
  }
  return out;
}

/**
 * The mode of a key, after checking it is one: Stripe keys are `sk_`/`rk_`, `test`/`live`, then
 * letters, digits and `_`. A space or a newline would otherwise be cut off or refused by the HTTP
 * layer far from where the key was written. `origin` says where it came from; the key is never shown.
 */
export function modeOfKey(apiKey: string, origin = 'apiKey'): Mode {
  const fail = (why: string) =>
    new ConnectorError('CONNECTION_INVALID', `${origin}: not a Stripe API key: ${why}`, {
      key: 'apiKey',
      origin,
    });
  if (/[\s\p{Cc}]/u.test(apiKey)) throw fail('it contains whitespace or a control character');
  const m = /^(sk|rk)_(test|live)_/.exec(apiKey);
  if (!m) {
    throw fail(
      /^pk_/.test(apiKey)
        ? 'a publishable key (pk_) cannot call the API; use a secret (sk_) or restricted (rk_) key'
        : 'expected a secret key (sk_test_/sk_live_) or a restricted key (rk_test_/rk_live_)',
    );
  }
  if (!/^[A-Za-z0-9_]+$/.test(apiKey))
    throw fail('it contains characters other than letters, digits and "_"');
  return m[2] as Mode;
}

/** Where a key came from, for messages: `STRIPE_API_KEY`, `connection file x.yaml: apiKey (env:K)`. */
export function keyOrigin(reference: string, source: string): string {
  if (source === 'environment' && reference.startsWith('env:')) return reference.slice(4);
  const field = source === 'code' ? 'apiKey' : `connection file ${source}: apiKey`;
  return isSecretReference(reference) ? `${field} (${reference})` : field;
}

function secret(value: string, keyPath: string, ctx: SecretContext, opts: LoadOptions): string {
  if (isSecretReference(value)) return resolveSecret(value, keyPath, ctx);
  if (!opts.allowLiteralSecrets) {
    const what = looksLikeSecretLiteral(value) ? 'a literal secret' : 'a literal value';
    throw new ConnectorError(
      'CONNECTION_INVALID',
      `${keyPath}: ${what} is not allowed in a connection file; write env:VAR or file:PATH instead`,
      { key: keyPath, hint: 'e.g. apiKey: env:STRIPE_API_KEY' },
    );
  }
  return value;
}

/** Connecting to one proxy address may take this long before the next one is tried. */
export const DEFAULT_PROXY_CONNECT_TIMEOUT_MS = 10_000;

function proxyUrl(address: string, keyPath: string): URL {
  const raw = /^[a-z]+:\/\//i.test(address) ? address : `http://${address}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConnectorError('CONNECTION_INVALID', `${keyPath}: not a valid URL`, { key: keyPath });
  }
  if (!['http:', 'https:'].includes(url.protocol)) {
    throw new ConnectorError('CONNECTION_INVALID', `${keyPath}: must be http:// or https://`, {
      key: keyPath,
    });
  }
  if (url.username || url.password) {
    throw new ConnectorError(
      'CONNECTION_INVALID',
      `${keyPath}: must not contain credentials; use proxy.user and proxy.password (a secret reference)`,
      { key: keyPath },
    );
  }
  return url;
}

/** Validates and resolves a connection given as an object (a parsed file, or built in code). */
export function parseConnection(input: unknown, opts: LoadOptions = {}): Connection {
  const source = opts.source ?? 'code';
  const env = opts.env ?? process.env;
  const aliased = applyAliases(input);
  const parsed = connectionSchema.safeParse(
    opts.envDefaults ? withEnvironmentDefaults(aliased, env) : aliased,
  );
  if (!parsed.success) throw describeIssues(parsed.error, source);
  const c = parsed.data;
  const ctx: SecretContext = { env, baseDir: opts.baseDir ?? process.cwd() };

  const apiKey = secret(c.apiKey, 'apiKey', ctx, opts);
  const mode = modeOfKey(apiKey, keyOrigin(c.apiKey, source));
  if (c.mode && c.mode !== mode) {
    throw new ConnectorError(
      'CONNECTION_INVALID',
      `wrong mode: connection ${c.name} is declared ${c.mode} but its apiKey is a ${mode}-mode key`,
      { key: 'apiKey', expected: c.mode, actual: mode },
    );
  }

  let proxy: ProxySettings | undefined;
  const addresses = c.proxy?.urls ?? c.proxy?.url;
  if (c.proxy?.enabled && addresses !== undefined) {
    const list = Array.isArray(addresses) ? addresses : [addresses];
    const key = c.proxy.urls ? 'proxy.urls' : 'proxy.url';
    const urls = list.map((address, i) => proxyUrl(address, Array.isArray(addresses) ? `${key}.${i}` : key));
    proxy = {
      url: urls[0],
      urls,
      authScheme: c.proxy.authScheme,
      sslType: c.proxy.sslType,
      connectTimeoutMs: c.proxy.connectTimeoutMs ?? Math.min(DEFAULT_PROXY_CONNECT_TIMEOUT_MS, c.timeoutMs),
      ...(c.proxy.authScheme !== 'NONE'
        ? { user: c.proxy.user, password: secret(c.proxy.password!, 'proxy.password', ctx, opts) }
        : {}),
    };
  }

  let ca: string | undefined;
  if (c.caFile) {
    const full = resolve(ctx.baseDir, c.caFile);
    try {
      ca = readFileSync(full, 'utf8');
    } catch {
      throw new ConnectorError('CONNECTION_INVALID', `caFile: cannot read ${full}`, { key: 'caFile' });
    }
  }

  const verbosity = (c.logging?.verbosity ?? 1) as Connection['logging']['verbosity'];
  const tps = c.throttle?.tps ?? DEFAULT_TPS[mode];
  return {
    name: c.name,
    ...(c.description ? { description: c.description } : {}),
    labels: c.labels ?? {},
    apiKey,
    mode,
    ...(c.accountId ? { accountId: c.accountId } : {}),
    apiVersion: c.apiVersion ?? DEFAULT_API_VERSION,
    baseUrl: (c.baseUrl ?? STRIPE_API_BASE).replace(/\/+$/, ''),
    ...(ca ? { ca } : {}),
    timeoutMs: c.timeoutMs,
    ...(proxy ? { proxy } : {}),
    logging: {
      enabled: c.logging?.enabled ?? true,
      level: c.logging?.level ?? (verbosity >= 3 ? 'debug' : 'error'),
      verbosity,
    },
    throttle: {
      tps,
      // A small burst: a full bucket released at once on top of the steady rate would exceed a
      // per-second limit set at the same rate.
      burst: c.throttle?.burst ?? Math.max(1, Math.floor(tps / 20)),
      maxRetries: c.throttle?.maxRetries ?? 4,
      // false is kept: it opts out of a server's default of sharing on a PostgreSQL store.
      ...(c.throttle?.shared !== undefined ? { shared: c.throttle.shared } : {}),
      ...(c.throttle?.budgetKey ? { budgetKey: c.throttle.budgetKey } : {}),
      ...(c.throttle?.budgets?.length ? { budgets: c.throttle.budgets } : {}),
    },
    source,
  };
}

/** Reads a YAML or JSON connection file (JSON is YAML, so one parser serves both). */
export function loadConnectionFile(
  path: string,
  opts: Omit<LoadOptions, 'baseDir' | 'source'> = {},
): Connection {
  const { file: full, data } = readYamlObject(path, 'connection file', 'CONNECTION_INVALID');
  return parseConnection(data, {
    ...opts,
    allowLiteralSecrets: false,
    envDefaults: true,
    baseDir: dirname(full),
    source: full,
  });
}

/** The connection the environment describes: STRIPE_API_KEY plus optional STRIPE_ACCOUNT, STRIPE_API_BASE. */
export function connectionFromEnv(env: Record<string, string | undefined> = process.env): Connection {
  if (!env.STRIPE_API_KEY) {
    throw new ConnectorError(
      'SECRET_UNRESOLVED',
      'no API key: set STRIPE_API_KEY or pass --connection FILE',
      {
        hint: 'e.g. STRIPE_API_KEY=sk_test_... STRIPE_API_BASE=http://127.0.0.1:12111 (the emulator)',
      },
    );
  }
  const input: ConnectionFileInput = {
    name: 'env',
    apiKey: 'env:STRIPE_API_KEY',
    ...(env.STRIPE_ACCOUNT ? { accountId: env.STRIPE_ACCOUNT } : {}),
    ...(env.STRIPE_API_BASE ? { baseUrl: env.STRIPE_API_BASE } : {}),
    ...(env.STRIPE_VERBOSITY ? { logging: { verbosity: Number(env.STRIPE_VERBOSITY) } } : {}),
  };
  return parseConnection(input, { env, source: 'environment' });
}
