/**
 * Catalogs: a sandbox catalog takes test-mode integrations only, a production catalog live-mode
 * ones only, so test plans can never be sold for real and live plans never tried on test keys.
 */
import { ConnectorError } from '../errors.ts';
import type { BillingCatalog, Store } from '../store/index.ts';
import { checkName } from './names.ts';
import { getIntegration } from './integrations.ts';

export const CATALOG_KINDS = ['sandbox', 'production'] as const;
export type CatalogKind = (typeof CATALOG_KINDS)[number];

const MODE_OF_KIND: Record<CatalogKind, 'test' | 'live'> = { sandbox: 'test', production: 'live' };
const RULE = 'test keys go only to sandbox catalogs, live keys only to production catalogs';

export async function addCatalog(store: Store, name: string, kind: string): Promise<BillingCatalog> {
  checkName(name, 'catalog');
  if (!CATALOG_KINDS.includes(kind as CatalogKind)) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `kind: "${kind}" is not a catalog kind: sandbox or production`,
      {
        field: 'kind',
      },
    );
  }
  const existing = await store.billing.getCatalog(name);
  if (existing && existing.kind !== kind) {
    throw new ConnectorError(
      'BILLING_REFUSED',
      `catalog ${name} is a ${existing.kind} catalog; its kind cannot change (${RULE})`,
      { field: 'kind' },
    );
  }
  return existing ?? store.billing.putCatalog(name, kind);
}

export async function getCatalog(store: Store, name: string): Promise<BillingCatalog> {
  const found = await store.billing.getCatalog(name);
  if (!found) {
    throw new ConnectorError('NOT_FOUND', `no billing catalog named "${name}"`, {
      field: 'catalog',
      hint: `add it with: billing catalog add ${name} --kind sandbox|production`,
    });
  }
  return found;
}

/** Adds an integration to a catalog, refused when its mode does not fit the catalog's kind. */
export async function attachIntegration(
  store: Store,
  catalog: string,
  integration: string,
): Promise<BillingCatalog> {
  const c = await getCatalog(store, catalog);
  const i = await getIntegration(store, integration);
  const wanted = MODE_OF_KIND[c.kind as CatalogKind];
  if (i.definition.mode !== wanted) {
    throw new ConnectorError(
      'BILLING_REFUSED',
      `refused: integration ${integration} has ${i.definition.mode}-mode keys and catalog ${catalog} is a ${c.kind} catalog; ${RULE}`,
      { field: 'integration', mode: i.definition.mode, kind: c.kind },
    );
  }
  await store.billing.attach(catalog, integration);
  return getCatalog(store, catalog);
}

export async function detachIntegration(
  store: Store,
  catalog: string,
  integration: string,
): Promise<BillingCatalog> {
  await getCatalog(store, catalog);
  await store.billing.detach(catalog, integration);
  return getCatalog(store, catalog);
}
