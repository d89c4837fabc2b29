/**
 * Billing integrations: a title, a slug name, two key references, and the account and mode Stripe
 * told us they belong to. Keys may be changed only for keys of the same account and mode: the
 * products, prices, customers and subscriptions made so far live in that account's namespace.
 */
import { ConnectorError } from '../errors.ts';
import type { Mode } from '../connection/load.ts';
import type { BillingIntegration, Store } from '../store/index.ts';
import { checkName, slugify } from './names.ts';
import { checkReference, inspectKeys, type KeyContext, type KeyReferences } from './keys.ts';

export interface IntegrationDefinition extends KeyReferences {
  account: string;
  mode: Mode;
  /** A Stripe-compatible base URL of its own; otherwise STRIPE_API_BASE, otherwise Stripe. */
  baseUrl?: string;
}

/** What is shown of an integration: references (never key values), account, mode, catalogs. */
export interface IntegrationView {
  name: string;
  title: string;
  account: string;
  mode: Mode;
  publishableKey: string;
  secretKey: string;
  baseUrl?: string;
  catalogs: string[];
  createdAt: number;
  updatedAt: number;
}

export interface AddIntegrationInput extends KeyReferences {
  title: string;
  /** Defaults to the title's slug. */
  name?: string;
  baseUrl?: string;
}

export async function getIntegration(
  store: Store,
  name: string,
): Promise<BillingIntegration<IntegrationDefinition>> {
  const found = await store.billing.getIntegration<IntegrationDefinition>(name);
  if (!found) {
    const known = (await store.billing.listIntegrations()).map((i) => i.name);
    throw new ConnectorError('NOT_FOUND', `no billing integration named "${name}"`, {
      field: 'integration',
      hint: known.length ? `known: ${known.join(', ')}` : 'add one with: billing integration add --title …',
    });
  }
  return found;
}

export async function viewIntegration(
  store: Store,
  record: BillingIntegration<IntegrationDefinition>,
): Promise<IntegrationView> {
  const d = record.definition;
  const catalogs = (await store.billing.listCatalogs())
    .filter((c) => c.integrations.includes(record.name))
    .map((c) => c.name);
  return {
    name: record.name,
    title: record.title,
    account: d.account,
    mode: d.mode,
    publishableKey: d.publishableKey,
    secretKey: d.secretKey,
    ...(d.baseUrl ? { baseUrl: d.baseUrl } : {}),
    catalogs,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export async function addIntegration(
  store: Store,
  input: AddIntegrationInput,
  ctx: KeyContext,
): Promise<IntegrationView> {
  const title = input.title?.trim();
  if (!title)
    throw new ConnectorError('MISSING_FIELD', 'title: an integration needs a title', { field: 'title' });
  const name = input.name ? checkName(input.name, 'name') : slugify(title);
  if (await store.billing.getIntegration(name)) {
    throw new ConnectorError('INVALID_VALUE', `an integration named "${name}" exists already`, {
      field: 'name',
      hint: `choose another name: --name ${name}-2`,
    });
  }
  const refs = {
    publishableKey: checkReference(input.publishableKey, 'publishableKey'),
    secretKey: checkReference(input.secretKey, 'secretKey'),
  };
  const { account, mode } = await inspectKeys(name, refs, ctx, input.baseUrl);
  const definition: IntegrationDefinition = {
    ...refs,
    account,
    mode,
    ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}),
  };
  return viewIntegration(store, await store.billing.putIntegration(name, title, definition));
}

/** New keys, refused unless Stripe says they are of the integration's account and mode. */
export async function updateIntegrationKeys(
  store: Store,
  name: string,
  keys: Partial<KeyReferences>,
  ctx: KeyContext,
): Promise<IntegrationView> {
  const record = await getIntegration(store, name);
  const d = record.definition;
  if (!keys.publishableKey && !keys.secretKey) {
    throw new ConnectorError('MISSING_FIELD', 'give a new publishableKey, secretKey or both', {
      field: 'keys',
    });
  }
  const refs = {
    publishableKey: keys.publishableKey ?? d.publishableKey,
    secretKey: keys.secretKey ?? d.secretKey,
  };
  const found = await inspectKeys(name, refs, ctx, d.baseUrl);
  const lost =
    'the products, prices, customers and subscriptions made with the old keys could no longer be found';
  if (found.mode !== d.mode) {
    throw new ConnectorError(
      'BILLING_REFUSED',
      `refused: integration ${name} is ${d.mode}-mode and the new keys are ${found.mode}-mode keys; test and live are separate namespaces, so ${lost}`,
      { field: keys.secretKey ? 'secretKey' : 'publishableKey', mode: d.mode, newMode: found.mode },
    );
  }
  if (found.account !== d.account) {
    throw new ConnectorError(
      'BILLING_REFUSED',
      `refused: the new keys belong to account ${found.account}, integration ${name} to account ${d.account}; ${lost}`,
      {
        field: keys.secretKey ? 'secretKey' : 'publishableKey',
        account: d.account,
        newAccount: found.account,
      },
    );
  }
  return viewIntegration(store, await store.billing.putIntegration(name, record.title, { ...d, ...refs }));
}

/** Removes an integration: out of its catalogs, its unfinished jobs discarded (they could not run). */
export async function removeIntegration(
  store: Store,
  name: string,
): Promise<{ removed: string; discardedJobs: number }> {
  await getIntegration(store, name);
  let discarded = 0;
  for (const job of await store.billing.jobs({ integration: name, status: ['queued', 'dead'] })) {
    if (await store.billing.discard(job.id)) discarded++;
  }
  await store.billing.removeIntegration(name);
  return { removed: name, discardedJobs: discarded };
}
