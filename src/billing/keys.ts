/**
 * An integration's two keys: secret references (env:/file:) resolved when used, never stored or
 * shown as values. `inspectKeys` asks Stripe which account and mode they belong to.
 *
 * The publishable key is checked against the account with the one kind of call Stripe takes from
 * a publishable key in both modes without a card: a PII token (`POST /v1/tokens`, as Stripe.js
 * makes), which the secret key of the same account can then read (`GET /v1/tokens/:id`); another
 * account's secret key gets 404. The token is single-use and expires unused.
 */
import { ConnectorError, toConnectorError } from '../errors.ts';
import { modeOfKey, parseConnection, type Connection, type Mode } from '../connection/load.ts';
import { isSecretReference, resolveSecret } from '../connection/secrets.ts';
import { fetchAccount } from '../gateway/account.ts';
import { createGatewayFromConnection, type Gateway, type GatewayOptions } from '../gateway/index.ts';

export interface KeyReferences {
  publishableKey: string;
  secretKey: string;
}

export interface KeyContext {
  env: Record<string, string | undefined>;
  /** Where relative `file:` references are read from. */
  baseDir: string;
  gateway?: GatewayOptions;
}

const PUBLISHABLE = /^pk_(test|live)_[A-Za-z0-9_]+$/;

/** A reference, not a value: a key written into the store would be readable by anyone with the file. */
export function checkReference(ref: string, field: keyof KeyReferences): string {
  if (!isSecretReference(ref)) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `${field}: write a secret reference (env:VAR or file:PATH), never the key itself`,
      { field, hint: `e.g. --${field === 'secretKey' ? 'secret' : 'publishable'}-key env:STRIPE_SECRET_KEY` },
    );
  }
  return ref;
}

function resolveKey(ref: string, field: keyof KeyReferences, ctx: KeyContext): string {
  return resolveSecret(checkReference(ref, field), field, { env: ctx.env, baseDir: ctx.baseDir });
}

export function secretMode(ref: string, ctx: KeyContext): { key: string; mode: Mode } {
  const key = resolveKey(ref, 'secretKey', ctx);
  return { key, mode: modeOfKey(key, `secretKey (${ref})`) };
}

export function publishableMode(ref: string, ctx: KeyContext): { key: string; mode: Mode } {
  const key = resolveKey(ref, 'publishableKey', ctx);
  const m = PUBLISHABLE.exec(key);
  if (!m) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `publishableKey (${ref}): not a publishable key: expected pk_test_… or pk_live_…`,
      { field: 'publishableKey' },
    );
  }
  return { key, mode: m[1] as Mode };
}

/** The connection an integration's secret key makes: Stripe's API, or STRIPE_API_BASE (the emulator). */
export function integrationConnection(
  name: string,
  secretKeyRef: string,
  ctx: KeyContext,
  baseUrl?: string,
): Connection {
  const { key } = secretMode(secretKeyRef, ctx);
  const base = baseUrl ?? ctx.env.STRIPE_API_BASE;
  return parseConnection(
    { name, apiKey: key, ...(base ? { baseUrl: base } : {}) },
    { allowLiteralSecrets: true, env: ctx.env, source: `billing integration ${name}` },
  );
}

export function integrationGateway(connection: Connection, ctx: KeyContext): Gateway {
  return createGatewayFromConnection(connection, { logThrownErrors: false, ...ctx.gateway });
}

/** What the keys say about themselves, checked with Stripe: one account, one mode. */
export async function inspectKeys(
  name: string,
  refs: KeyReferences,
  ctx: KeyContext,
  baseUrl?: string,
): Promise<{ account: string; mode: Mode }> {
  const secret = secretMode(refs.secretKey, ctx);
  const publishable = publishableMode(refs.publishableKey, ctx);
  if (secret.mode !== publishable.mode) {
    throw new ConnectorError(
      'BILLING_REFUSED',
      `the keys are for different modes: publishableKey is a ${publishable.mode}-mode key, secretKey a ${secret.mode}-mode key; pk_test_ goes with sk_test_/rk_test_, pk_live_ with sk_live_/rk_live_`,
      { field: 'publishableKey', publishableMode: publishable.mode, secretMode: secret.mode },
    );
  }
  const connection = integrationConnection(name, refs.secretKey, ctx, baseUrl);
  const gateway = integrationGateway(connection, ctx);
  const browser = integrationGateway({ ...connection, apiKey: publishable.key }, ctx);
  try {
    const account = (await fetchAccount(gateway)).id;
    const token = await browser
      .request<{ id: string }>({
        method: 'POST',
        path: '/v1/tokens',
        params: { pii: { id_number: '000000000' } },
      })
      .catch((error) => {
        const e = toConnectorError(error);
        throw new ConnectorError(e.code, `publishableKey (${refs.publishableKey}): ${e.message}`, {
          ...e.details,
          field: 'publishableKey',
        });
      });
    await gateway.request({ method: 'GET', path: `/v1/tokens/${token.id}` }).catch((error) => {
      const e = toConnectorError(error);
      if (e.code !== 'STRIPE_NOT_FOUND') throw e;
      throw new ConnectorError(
        'BILLING_REFUSED',
        `the keys belong to different accounts: the publishable key is not of account ${account} (the secret key's); give both keys of one account`,
        { field: 'publishableKey', account },
      );
    });
    return { account, mode: secret.mode };
  } finally {
    await Promise.all([gateway.close(), browser.close()]);
  }
}
