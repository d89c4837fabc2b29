/**
 * The plan file against what Stripe has: the list of single Stripe changes that makes them agree.
 * Pure (no calls), so `billing plan` shows exactly what `billing apply` enqueues. Each change has
 * a key derived from the plan and the state it starts from (never random): the same apply run
 * again, or resumed after a crash, yields the same keys, hence the same jobs and Stripe idempotency.
 */
import { createHash } from 'node:crypto';
import type { GatewayRequest } from '../gateway/index.ts';
import type { Plan, PlanFile, Product } from './plan-file.ts';
import { META, productId, type CatalogState, type StripePrice } from './stripe-state.ts';

export type ChangeKind =
  'product.create' | 'product.update' | 'product.archive' | 'price.create' | 'price.update' | 'price.archive';

/** Before running a create, see whether it already landed (a job whose ack was lost with its process). */
export type Guard =
  | { kind: 'product-exists'; id: string }
  | { kind: 'price-exists'; product: string; plan: string; spec: string };

export interface Change {
  kind: ChangeKind;
  /** What it does, for people: `create price pro-monthly: 2900 usd per month`. */
  summary: string;
  /** The job's dedup key and the Stripe idempotency key (with the integration in front). */
  key: string;
  request: GatewayRequest & { method: 'POST' };
  guard?: Guard;
}

const hash = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** The fields of a price Stripe never changes; a difference in any makes a new price. */
export function immutablePriceParams(catalog: string, plan: Plan): Record<string, unknown> {
  return {
    product: productId(catalog, plan.product),
    currency: plan.currency,
    recurring: {
      interval: plan.interval,
      interval_count: plan.interval_count ?? 1,
      usage_type: plan.usage === 'metered' ? 'metered' : 'licensed',
    },
    ...(plan.tiers
      ? {
          billing_scheme: 'tiered',
          tiers_mode: plan.tiers_mode ?? 'graduated',
          tiers: plan.tiers.map((t) => ({
            up_to: t.up_to,
            ...(t.unit_price !== undefined ? { unit_amount: t.unit_price } : {}),
            ...(t.flat_price !== undefined ? { flat_amount: t.flat_price } : {}),
          })),
        }
      : { billing_scheme: 'per_unit', unit_amount: plan.price }),
  };
}

export const priceSpec = (catalog: string, plan: Plan) => hash(immutablePriceParams(catalog, plan));

function describePrice(plan: Plan): string {
  const per = `per ${plan.interval_count && plan.interval_count > 1 ? `${plan.interval_count} ${plan.interval}s` : plan.interval}`;
  const amount = plan.tiers
    ? `${plan.tiers.length} ${plan.tiers_mode ?? 'graduated'} tiers, ${plan.currency}`
    : `${plan.price} ${plan.currency}`;
  return `${amount} ${per}${plan.usage === 'metered' ? ', metered' : ''}${plan.trial_days ? `, ${plan.trial_days}-day trial` : ''}`;
}

const trialMeta = (plan: Plan) => (plan.trial_days ? String(plan.trial_days) : '');

function productChanges(catalog: string, file: PlanFile, state: CatalogState): Change[] {
  const out: Change[] = [];
  for (const [key, want] of Object.entries(file.products)) {
    const id = productId(catalog, key);
    const have = state.products.get(key);
    const fields = { name: want.name, description: want.description ?? '' };
    if (!have) {
      out.push({
        kind: 'product.create',
        summary: `create product ${key} (${want.name})`,
        key: `${catalog}:product:${key}:create`,
        request: {
          method: 'POST',
          path: '/v1/products',
          params: {
            id,
            name: want.name,
            ...(want.description ? { description: want.description } : {}),
            metadata: { [META.catalog]: catalog, [META.product]: key },
          },
        },
        guard: { kind: 'product-exists', id },
      });
    } else if (!have.active || have.name !== want.name || (have.description ?? '') !== fields.description) {
      out.push(productUpdate(catalog, key, want, have.updated, have.active));
    }
  }
  for (const [key, have] of state.products) {
    if (file.products[key] || !have.active) continue;
    out.push({
      kind: 'product.archive',
      summary: `archive product ${key} (no longer in the plan file)`,
      key: `${catalog}:product:${key}:archive:${have.updated ?? 0}`,
      request: { method: 'POST', path: `/v1/products/${have.id}`, params: { active: false } },
    });
  }
  return out;
}

function productUpdate(
  catalog: string,
  key: string,
  want: Product,
  updated: number | undefined,
  active: boolean,
): Change {
  const params = { name: want.name, description: want.description ?? '', active: true };
  return {
    kind: 'product.update',
    summary: `update product ${key}${active ? '' : ' (reactivated)'}`,
    key: `${catalog}:product:${key}:update:${hash(params)}:${updated ?? 0}`,
    request: { method: 'POST', path: `/v1/products/${productId(catalog, key)}`, params },
  };
}

function planChanges(catalog: string, name: string, plan: Plan, prices: StripePrice[]): Change[] {
  const spec = priceSpec(catalog, plan);
  const active = prices.filter((p) => p.active && p.metadata[META.plan] === name);
  const match = active.find((p) => p.metadata[META.spec] === spec);
  const out: Change[] = [];
  const nickname = plan.nickname ?? name;
  if (!match) {
    const holder = active.find((p) => p.lookup_key === name);
    // The plan's prices so far (archived ones too) tell this creation from an earlier one of the
    // same price, which a plan changed back would otherwise share its key (and job) with.
    const seen = prices
      .filter((p) => p.metadata[META.plan] === name)
      .map((p) => p.id)
      .sort();
    out.push({
      kind: 'price.create',
      summary: `${holder ? 'replace' : 'create'} price ${name}: ${describePrice(plan)}`,
      key: `${catalog}:price:${name}:create:${spec}:after:${seen.length ? hash(seen) : 'none'}`,
      request: {
        method: 'POST',
        path: '/v1/prices',
        params: {
          ...immutablePriceParams(catalog, plan),
          nickname,
          lookup_key: name,
          transfer_lookup_key: true,
          metadata: {
            [META.catalog]: catalog,
            [META.plan]: name,
            [META.spec]: spec,
            [META.trialDays]: trialMeta(plan),
          },
        },
      },
      guard: { kind: 'price-exists', product: productId(catalog, plan.product), plan: name, spec },
    });
  } else if (
    match.nickname !== nickname ||
    (match.metadata[META.trialDays] ?? '') !== trialMeta(plan) ||
    match.lookup_key !== name
  ) {
    const params = {
      nickname,
      lookup_key: name,
      transfer_lookup_key: true,
      metadata: { [META.trialDays]: trialMeta(plan) },
    };
    out.push({
      kind: 'price.update',
      summary: `update price ${name} (${match.id}): nickname, trial days or lookup key`,
      key: `${catalog}:price:${match.id}:update:${hash(params)}`,
      request: { method: 'POST', path: `/v1/prices/${match.id}`, params },
    });
  }
  for (const old of active) if (old !== match) out.push(archivePrice(catalog, name, old, 'replaced'));
  return out;
}

function archivePrice(catalog: string, plan: string, price: StripePrice, why: string): Change {
  return {
    kind: 'price.archive',
    summary: `archive price ${plan} (${price.id}, ${why})`,
    key: `${catalog}:price:${price.id}:archive`,
    request: { method: 'POST', path: `/v1/prices/${price.id}`, params: { active: false } },
  };
}

/** Every change, in the order they must run: products first, then prices, then archiving. */
export function diffCatalog(catalog: string, file: PlanFile, state: CatalogState): Change[] {
  const changes = productChanges(catalog, file, state).filter((c) => c.kind !== 'product.archive');
  for (const [name, plan] of Object.entries(file.plans))
    changes.push(...planChanges(catalog, name, plan, state.prices));
  for (const price of state.prices) {
    const plan = price.metadata[META.plan];
    if (price.active && plan && !file.plans[plan])
      changes.push(archivePrice(catalog, plan, price, 'plan removed'));
  }
  // Products go last: their prices are archived first.
  changes.push(...productChanges(catalog, file, state).filter((c) => c.kind === 'product.archive'));
  return changes;
}
