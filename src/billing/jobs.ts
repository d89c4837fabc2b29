/**
 * What a billing job carries and how one runs: a single Stripe change, sent with the job's own
 * idempotency key (derived from the plan or the subscription request, never random), after a
 * guard that skips a create which already landed (its ack lost with a dead process).
 */
import { ConnectorError, toConnectorError } from '../errors.ts';
import type { Gateway, GatewayRequest } from '../gateway/index.ts';
import type { Job, Store } from '../store/index.ts';
import type { Guard } from './diff.ts';
import { consumerRecord, findCustomer, updateConsumer } from './consumers.ts';
import { META, listAll, type StripePrice } from './stripe-state.ts';

export interface ChangePayload {
  type: 'change';
  catalog: string;
  summary: string;
  request: GatewayRequest;
  guard?: Guard;
}

export type ConsumerStep =
  | 'customer.create'
  | 'payment_method.attach'
  | 'customer.default_payment_method'
  | 'subscription.create'
  | 'subscription.update'
  | 'subscription.cancel';

export interface ConsumerPayload {
  type: 'consumer';
  step: ConsumerStep;
  consumer: string;
  summary: string;
  email?: string;
  name?: string;
  testClock?: string;
  card?: string;
  plan?: string;
  generation?: number;
  subscription?: string;
  /** subscription.update: Stripe's parameters; `{price:NAME}` stands for the plan's current price. */
  params?: Record<string, unknown>;
}

export type BillingJobPayload = ChangePayload | ConsumerPayload;

export interface RunContext {
  store: Store;
  gateway: Gateway;
  integration: string;
}

/** The Stripe idempotency key of a job: its dedup key (integration first) under our prefix. */
export const idempotencyKey = (job: Job) => `sc-billing:${job.key}`;

export async function runJob(job: Job<BillingJobPayload>, ctx: RunContext): Promise<unknown> {
  const p = job.payload;
  return p.type === 'change' ? runChange(job, p, ctx) : runConsumerStep(job, p, ctx);
}

async function runChange(job: Job, p: ChangePayload, ctx: RunContext): Promise<unknown> {
  const already = p.guard && (await guarded(ctx.gateway, p.guard));
  if (already) return { id: already, skipped: 'already in Stripe' };
  const res = await ctx.gateway.request<{ id: string }>({
    ...p.request,
    idempotencyKey: idempotencyKey(job),
  });
  return { id: res.id };
}

async function guarded(gateway: Gateway, guard: Guard): Promise<string | undefined> {
  if (guard.kind === 'product-exists') {
    try {
      return (await gateway.request<{ id: string }>({ method: 'GET', path: `/v1/products/${guard.id}` })).id;
    } catch (error) {
      if (toConnectorError(error).code === 'STRIPE_NOT_FOUND') return undefined;
      throw error;
    }
  }
  const prices = await listAll<StripePrice>(gateway, '/v1/prices', { product: guard.product, active: true });
  return prices.find(
    (x) =>
      x.active &&
      x.product === guard.product &&
      x.metadata?.[META.plan] === guard.plan &&
      x.metadata[META.spec] === guard.spec,
  )?.id;
}

/** The plan's current price: the active price holding its lookup key. */
export async function planPrice(gateway: Gateway, plan: string): Promise<StripePrice> {
  const prices = await listAll<StripePrice>(gateway, '/v1/prices', { lookup_keys: [plan], active: true });
  const price = prices.find((x) => x.active && x.lookup_key === plan);
  if (!price) {
    throw new ConnectorError(
      'NOT_FOUND',
      `plan ${plan} has no active price in Stripe: apply the plan file that declares it first`,
      {
        field: 'plan',
      },
    );
  }
  return price;
}

async function resolvePrices(gateway: Gateway, value: unknown): Promise<unknown> {
  if (typeof value === 'string') {
    const m = /^\{price:([^}]+)\}$/.exec(value);
    return m ? (await planPrice(gateway, m[1])).id : value;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolvePrices(gateway, v)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolvePrices(gateway, v);
    return out;
  }
  return value;
}

async function needCustomer(ctx: RunContext, p: ConsumerPayload): Promise<string> {
  const customer = await findCustomer(ctx.gateway, ctx.store, ctx.integration, p.consumer, p.email);
  if (!customer)
    throw new ConnectorError('NOT_FOUND', `consumer ${p.consumer} has no customer in Stripe yet`, {
      field: 'consumer',
    });
  return customer;
}

async function runConsumerStep(job: Job, p: ConsumerPayload, ctx: RunContext): Promise<unknown> {
  const { gateway, store, integration } = ctx;
  const key = idempotencyKey(job);
  const remember = (change: Parameters<typeof updateConsumer>[3]) =>
    updateConsumer(store, integration, p.consumer, change);
  switch (p.step) {
    case 'customer.create': {
      const found = await findCustomer(gateway, store, integration, p.consumer, p.email);
      if (found) return { customer: found, found: true };
      const c = await gateway.request<{ id: string }>({
        method: 'POST',
        path: '/v1/customers',
        params: {
          ...(p.email ? { email: p.email } : {}),
          ...(p.name ? { name: p.name } : {}),
          ...(p.testClock ? { test_clock: p.testClock } : {}),
          metadata: { [META.consumer]: p.consumer },
        },
        idempotencyKey: key,
      });
      await remember((r) => ({ ...r, customer: c.id }));
      return { customer: c.id };
    }
    case 'payment_method.attach': {
      const customer = await needCustomer(ctx, p);
      const pm = await gateway.request<{ id: string }>({
        method: 'POST',
        path: `/v1/payment_methods/${encodeURIComponent(p.card!)}/attach`,
        params: { customer },
        idempotencyKey: key,
      });
      await remember((r) => ({ ...r, paymentMethod: pm.id }));
      return { paymentMethod: pm.id };
    }
    case 'customer.default_payment_method': {
      const customer = await needCustomer(ctx, p);
      const pm = (await consumerRecord(store, integration, p.consumer)).paymentMethod;
      if (!pm)
        throw new ConnectorError('NOT_FOUND', `consumer ${p.consumer} has no card attached yet`, {
          field: 'card',
        });
      await gateway.request({
        method: 'POST',
        path: `/v1/customers/${customer}`,
        params: { invoice_settings: { default_payment_method: pm } },
        idempotencyKey: key,
      });
      return { customer, paymentMethod: pm };
    }
    case 'subscription.create':
      return createSubscription(ctx, p, key);
    case 'subscription.update': {
      const params = (await resolvePrices(gateway, p.params ?? {})) as Record<string, unknown>;
      const sub = await gateway.request({
        method: 'POST',
        path: `/v1/subscriptions/${p.subscription}`,
        params,
        idempotencyKey: key,
      });
      return subscriptionOutcome(sub);
    }
    case 'subscription.cancel': {
      try {
        return subscriptionOutcome(
          await gateway.request({ method: 'DELETE', path: `/v1/subscriptions/${p.subscription}` }),
        );
      } catch (error) {
        // Canceled already (by an earlier attempt whose answer was lost): the change holds.
        if (toConnectorError(error).code !== 'STRIPE_NOT_FOUND') throw error;
        return subscriptionOutcome(
          await gateway.request({ method: 'GET', path: `/v1/subscriptions/${p.subscription}` }),
        );
      }
    }
  }
}

async function createSubscription(ctx: RunContext, p: ConsumerPayload, key: string): Promise<unknown> {
  const customer = await needCustomer(ctx, p);
  const record = await consumerRecord(ctx.store, ctx.integration, p.consumer);
  const price = await planPrice(ctx.gateway, p.plan!);
  const trial = Number(price.metadata?.[META.trialDays] || 0);
  const sub = await ctx.gateway.request({
    method: 'POST',
    path: '/v1/subscriptions',
    params: {
      customer,
      items: [{ price: price.id }],
      ...(record.paymentMethod ? { default_payment_method: record.paymentMethod } : {}),
      ...(trial ? { trial_period_days: trial } : {}),
      payment_behavior: 'allow_incomplete',
      metadata: { [META.consumer]: p.consumer, [META.plan]: p.plan },
      expand: ['latest_invoice.payment_intent', 'latest_invoice.charge'],
    },
    idempotencyKey: key,
  });
  const generation = (p.generation ?? 0) + 1;
  await updateConsumer(ctx.store, ctx.integration, p.consumer, (r) => ({
    ...r,
    generations: { ...r.generations, [p.plan!]: Math.max(generation, r.generations?.[p.plan!] ?? 0) },
  }));
  return subscriptionOutcome(sub);
}

/** A subscription as a job result: its status, and for an unpaid invoice, why the payment failed. */
export function subscriptionOutcome(sub: any): Record<string, unknown> {
  const inv = sub.latest_invoice && typeof sub.latest_invoice === 'object' ? sub.latest_invoice : undefined;
  const pi = inv?.payment_intent && typeof inv.payment_intent === 'object' ? inv.payment_intent : undefined;
  const charge = inv?.charge && typeof inv.charge === 'object' ? inv.charge : undefined;
  // Stripe puts the reason on the intent; the charge has it too (failure_message, failure_code).
  const error =
    pi?.last_payment_error ??
    (charge?.failure_message
      ? { message: charge.failure_message, code: charge.outcome?.reason ?? charge.failure_code }
      : undefined);
  return {
    subscription: sub.id,
    status: sub.status,
    ...(sub.cancel_at_period_end ? { cancelAtPeriodEnd: true } : {}),
    ...(inv
      ? {
          invoice: { id: inv.id, status: inv.status, amountDue: inv.amount_due, amountPaid: inv.amount_paid },
        }
      : {}),
    ...(error
      ? { paymentError: [error.message, error.decline_code ?? error.code].filter(Boolean).join(' — ') }
      : {}),
  };
}
