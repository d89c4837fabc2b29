/**
 * What the operator grants clients of the API of the host's reach (the server config's `api`):
 * which secrets a connection or billing integration made over the API may name, which Stripe
 * addresses and proxies it may use. Everything else of the host stays the operator's: a client
 * cannot make the server read an arbitrary variable or file, or send a key to an address it picked.
 */
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { httpUrl, type ConnectionFileInput } from './schema.ts';

/** Stripe's API: where an API-made connection may point unless the operator grants more. */
export const STRIPE_API_BASE_URL = 'https://api.stripe.com';

export const secretGrantsSchema = z
  .object({
    /** Environment variables whose names start with one of these may be named (`env:SHOP_KEY`). */
    env: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a variable-name prefix' }))
      .default([]),
    /** Files directly in this folder may be named (`file:shop-key`), by name only. */
    dir: z.string().min(1).optional(),
  })
  .strict();

export const hostGrantsShape = {
  secrets: secretGrantsSchema.default({ env: [] }),
  /** Stripe API addresses (`baseUrl`) a connection or billing integration may use. */
  baseUrls: z.array(httpUrl).default([STRIPE_API_BASE_URL]),
  /** Proxy addresses a connection may use (as written in its `proxy.url`). */
  proxies: z.array(z.string().min(1)).default([]),
};

export interface HostGrants {
  secrets: { env: string[]; dir?: string };
  baseUrls: string[];
  proxies: string[];
}

/** What a client names of the host, by key path (`apiKey`, `proxy.password`, `baseUrl`, `proxy.url`). */
export interface ClientReach {
  secrets: Array<[keyPath: string, reference: string]>;
  baseUrl?: string;
  proxies?: Array<[keyPath: string, address: string]>;
  /** Settings only the operator may give at all (a file of the host, another connection's budget). */
  operatorOnly?: string[];
}

/** What a connection names of the host: its secret references, Stripe address and proxies. */
export function connectionReach(definition: ConnectionFileInput): ClientReach {
  const proxy = definition.proxy as
    { password?: string; url?: string | string[]; urls?: string[] } | undefined;
  const addresses = [proxy?.urls ?? proxy?.url ?? []].flat();
  return {
    secrets: [
      ['apiKey', String(definition.apiKey ?? 'env:STRIPE_API_KEY')],
      ...(proxy?.password ? [['proxy.password', proxy.password] as [string, string]] : []),
    ],
    ...(definition.baseUrl ? { baseUrl: String(definition.baseUrl) } : {}),
    proxies: addresses.map((a, i): [string, string] => [proxy?.urls ? `proxy.urls.${i}` : 'proxy.url', a]),
    operatorOnly: [
      ...(definition.caFile ? ['caFile'] : []),
      ...((definition.throttle as { budgetKey?: string } | undefined)?.budgetKey
        ? ['throttle.budgetKey']
        : []),
    ],
  };
}

/** What a billing integration names of the host: its two keys' references and Stripe address. */
export function integrationReach(keys: {
  publishableKey?: string;
  secretKey?: string;
  baseUrl?: string;
}): ClientReach {
  return {
    secrets: (['publishableKey', 'secretKey'] as const).flatMap((k): Array<[string, string]> =>
      keys[k] === undefined ? [] : [[k, keys[k]]],
    ),
    ...(keys.baseUrl === undefined ? {} : { baseUrl: keys.baseUrl }),
  };
}

const refused = (field: string, message: string) =>
  new ConnectorError('OPERATOR_ONLY', `${field}: ${message}`, { field });

/**
 * Refuses what the grants do not cover. `dir`, when granted, is where relative `file:` names are
 * read from (the caller stores it as the connection's folder).
 */
export function checkClientReach(reach: ClientReach, grants: HostGrants, baseDir: string): void {
  const [operatorOnly] = reach.operatorOnly ?? [];
  if (operatorOnly)
    throw refused(
      operatorOnly,
      "only the operator may set this (in the server's config or a connection file)",
    );
  for (const [field, reference] of reach.secrets) checkSecret(field, reference, grants, baseDir);
  if (reach.baseUrl !== undefined && !grants.baseUrls.some((u) => sameUrl(u, reach.baseUrl!)))
    throw refused(
      'baseUrl',
      `this server lets clients use only ${grants.baseUrls.join(', ')} (api.baseUrls in its config)`,
    );
  for (const [field, address] of reach.proxies ?? [])
    if (!grants.proxies.includes(address))
      throw refused(
        field,
        grants.proxies.length
          ? `this server lets clients use only the proxies ${grants.proxies.join(', ')} (api.proxies)`
          : 'this server lets clients use no proxy (api.proxies in its config)',
      );
}

function checkSecret(field: string, reference: string, grants: HostGrants, baseDir: string): void {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    if (grants.secrets.env.some((prefix) => name.startsWith(prefix))) return;
    throw refused(
      field,
      grants.secrets.env.length
        ? `clients may name only variables starting with ${grants.secrets.env.join(', ')} (api.secrets.env)`
        : "clients may name no environment variable of this server's host (api.secrets.env in its config)",
    );
  }
  if (reference.startsWith('file:')) {
    const name = reference.slice(5);
    if (!grants.secrets.dir)
      throw refused(field, "clients may name no file of this server's host (api.secrets.dir in its config)");
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name))
      throw refused(field, 'name a file of the secrets folder by its name alone (file:shop-key)');
    const dir = resolve(baseDir, grants.secrets.dir);
    // A link inside the folder must not lead out of it.
    let real: string;
    try {
      real = realpathSync(resolve(dir, name));
    } catch {
      throw new ConnectorError('SECRET_UNRESOLVED', `${field}: the secrets folder has no file ${name}`, {
        field,
      });
    }
    if (!real.startsWith(realpathSync(dir) + sep))
      throw refused(field, `${name} leads out of the secrets folder`);
    return;
  }
  // Not a reference: a value, which the layer that takes it refuses as such (a literal secret).
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  };
  try {
    return norm(a) === norm(b);
  } catch {
    return false;
  }
}

/** Where a client's `file:NAME` is read: the granted secrets folder (else `fallback`). */
export function clientSecretsDir(grants: HostGrants, configDir: string, fallback: string): string {
  return grants.secrets.dir ? resolve(configDir, grants.secrets.dir) : fallback;
}
