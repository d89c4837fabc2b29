/**
 * What a catalog has in one integration's Stripe account: its products (ids `sc_<catalog>_<key>`,
 * so a product is found by id, never created twice) and their prices, told apart by metadata.
 */
import { pages } from '../gateway/pages.ts';
import type { Gateway } from '../gateway/index.ts';

/** Metadata keys the connector writes on what it manages. */
export const META = {
  catalog: 'sc_catalog',
  product: 'sc_product',
  plan: 'sc_plan',
  spec: 'sc_spec',
  trialDays: 'sc_trial_days',
  consumer: 'sc_consumer',
} as const;

export interface StripeProduct {
  id: string;
  name: string;
  description: string | null;
  active: boolean;
  updated?: number;
  metadata: Record<string, string>;
}

export interface StripePrice {
  id: string;
  product: string;
  active: boolean;
  nickname: string | null;
  lookup_key: string | null;
  currency: string;
  unit_amount: number | null;
  recurring: { interval: string; interval_count: number; usage_type?: string } | null;
  metadata: Record<string, string>;
}

export interface CatalogState {
  /** By the plan file's product key. */
  products: Map<string, StripeProduct>;
  prices: StripePrice[];
}

/** `sc_<catalog>_<key>`: Stripe takes custom product ids; ours name the catalog and product. */
export function productId(catalog: string, key: string): string {
  return `sc_${catalog}_${key}`;
}

export async function listAll<T>(
  gateway: Gateway,
  path: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages(gateway, { path, params: { limit: 100, ...params } }))
    out.push(...(page as T[]));
  return out;
}

export async function readCatalogState(gateway: Gateway, catalog: string): Promise<CatalogState> {
  const products = new Map<string, StripeProduct>();
  for (const p of await listAll<StripeProduct>(gateway, '/v1/products')) {
    if (p.metadata?.[META.catalog] === catalog && p.metadata[META.product])
      products.set(p.metadata[META.product], p);
  }
  const prices: StripePrice[] = [];
  for (const product of products.values()) {
    for (const price of await listAll<StripePrice>(gateway, '/v1/prices', { product: product.id })) {
      // A list filter the server ignores must not let another product's prices in.
      if (price.product === product.id && price.metadata?.[META.catalog] === catalog) prices.push(price);
    }
  }
  return { products, prices };
}
