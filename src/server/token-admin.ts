/**
 * Tokens managed from the command line (`stripe-connector token …`) on the same store the server
 * uses: each call opens the store, does one thing and closes it. The plain token leaves only
 * `createToken`'s answer; a listing holds records (hash never included).
 */
import { ConnectorError } from '../errors.ts';
import { openStore, type OpenStoreOptions } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { SCOPES, type Scope, type TokenRecord } from './ports.ts';
import { issueToken, type IssuedToken } from './tokens.ts';

async function withStore<T>(opts: OpenStoreOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function parseScope(value: string): Scope {
  if ((SCOPES as readonly string[]).includes(value)) return value as Scope;
  throw new ConnectorError(
    'INVALID_ARGUMENT',
    `--scope must be one of ${SCOPES.join(', ')}, got "${value}"`,
    {
      field: '--scope',
    },
  );
}

export function createToken(
  opts: OpenStoreOptions,
  input: { scope: Scope; connections?: string[]; label?: string },
): Promise<IssuedToken> {
  return withStore(opts, (store) =>
    issueToken(store.tokens, { scopes: [input.scope], connections: input.connections, label: input.label }),
  );
}

export function listTokens(opts: OpenStoreOptions): Promise<TokenRecord[]> {
  return withStore(opts, (store) => store.tokens.list());
}

export function revokeToken(opts: OpenStoreOptions, id: string): Promise<void> {
  return withStore(opts, async (store) => {
    if (await store.tokens.revoke(id)) return;
    const known = (await store.tokens.list()).some((t) => t.id === id);
    throw new ConnectorError(
      known ? 'INVALID_ARGUMENT' : 'NOT_FOUND',
      known ? `token ${id} is revoked already` : `no token with id ${id} (see: stripe-connector token list)`,
      { field: 'id' },
    );
  });
}
