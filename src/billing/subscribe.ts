/**
 * Subscriptions of consumers, as jobs: subscribe = find or create the customer, attach the card,
 * make it the default, create the subscription (four Stripe changes, four jobs in order). Change
 * of plan and cancellation are one job each. Keys come from the request and the consumer's record
 * (how many subscriptions to the plan were made before), so a repeated or resumed request makes
 * no second customer or subscription, while a later resubscription is new.
 */
import { ConnectorError } from '../errors.ts';
import type { Gateway } from '../gateway/index.ts';
import type { Store } from '../store/index.ts';
import { consumerRecord, findCustomer } from './consumers.ts';
import { planPrice, type ConsumerPayload } from './jobs.ts';
import type { RetrySchedule } from './apply.ts';
import { META, listAll } from './stripe-state.ts';
import { viewJob, type JobView } from './views.ts';

export interface SubscribeInput {
  integration: string;
  plan: string;
  consumer: string;
  email?: string;
  name?: string;
  /** A PaymentMethod id (`pm_card_visa` in test mode, or one made with the publishable key). */
  card?: string;
  /** Test mode: the customer is created on this test clock. */
  testClock?: string;
}

export interface UnsubscribeInput {
  integration: string;
  consumer: string;
  plan?: string;
  /** Cancel at once; default: at the end of the paid period. */
  now?: boolean;
}

export interface ChangePlanInput {
  integration: string;
  consumer: string;
  to: string;
  from?: string;
}

interface Subscription {
  id: string;
  status: string;
  cancel_at_period_end: boolean;
  current_period_end: number;
  metadata: Record<string, string>;
  items: { data: Array<{ id: string; price: { id: string } }> };
}

type Enqueue = (step: Omit<ConsumerPayload, 'type' | 'consumer'>, key: string) => Promise<JobView>;

function enqueuer(store: Store, integration: string, consumer: string, retry: RetrySchedule): Enqueue {
  return async (step, key) => {
    const payload: ConsumerPayload = { type: 'consumer', consumer, ...step };
    const { job } = await store.billing.enqueue({
      integration,
      kind: step.step,
      key: `${integration}:${key}`,
      payload,
      ...retry,
    });
    return viewJob(job);
  };
}

const LIVE = new Set(['active', 'trialing', 'past_due', 'incomplete', 'unpaid']);

async function consumerSubscriptions(gateway: Gateway, customer: string): Promise<Subscription[]> {
  return (await listAll<Subscription>(gateway, '/v1/subscriptions', { customer, status: 'all' })).filter(
    (s) => LIVE.has(s.status),
  );
}

export async function enqueueSubscribe(
  store: Store,
  gateway: Gateway,
  input: SubscribeInput,
  retry: RetrySchedule,
): Promise<{ jobs: JobView[]; existing?: string }> {
  const { integration, plan, consumer } = input;
  await planPrice(gateway, plan); // an unknown plan is refused now, not in a job later
  const customer = await findCustomer(gateway, store, integration, consumer, input.email);
  if (customer) {
    const current = (await consumerSubscriptions(gateway, customer)).find(
      (s) => s.metadata?.[META.plan] === plan,
    );
    if (current) return { jobs: [], existing: current.id };
  }
  const generation = (await consumerRecord(store, integration, consumer)).generations?.[plan] ?? 0;
  const base = `consumer:${consumer}:${plan}:${generation}`;
  const add = enqueuer(store, integration, consumer, retry);
  const jobs: JobView[] = [];
  if (!customer) {
    jobs.push(
      await add(
        {
          step: 'customer.create',
          summary: `create customer for consumer ${consumer}`,
          email: input.email,
          name: input.name,
          testClock: input.testClock,
        },
        `consumer:${consumer}:customer`,
      ),
    );
  }
  if (input.card) {
    jobs.push(
      await add(
        {
          step: 'payment_method.attach',
          summary: `attach card ${input.card} to consumer ${consumer}`,
          card: input.card,
        },
        `${base}:attach:${input.card}`,
      ),
    );
    jobs.push(
      await add(
        { step: 'customer.default_payment_method', summary: `make it consumer ${consumer}'s default card` },
        `${base}:default-card`,
      ),
    );
  }
  jobs.push(
    await add(
      {
        step: 'subscription.create',
        summary: `subscribe consumer ${consumer} to ${plan}`,
        plan,
        generation,
        email: input.email,
      },
      `${base}:subscription`,
    ),
  );
  return { jobs };
}

async function pick(
  gateway: Gateway,
  store: Store,
  integration: string,
  consumer: string,
  plan?: string,
): Promise<Subscription> {
  const customer = await findCustomer(gateway, store, integration, consumer);
  const subs = customer ? await consumerSubscriptions(gateway, customer) : [];
  const matching = subs.filter((s) => !plan || s.metadata?.[META.plan] === plan);
  if (matching.length === 1) return matching[0];
  if (!matching.length)
    throw new ConnectorError(
      'NOT_FOUND',
      `consumer ${consumer} has no current subscription${plan ? ` to ${plan}` : ''}`,
      { field: 'consumer' },
    );
  throw new ConnectorError(
    'INVALID_ARGUMENT',
    `consumer ${consumer} has ${matching.length} subscriptions: say which plan`,
    {
      field: 'plan',
      plans: matching.map((s) => s.metadata?.[META.plan]),
    },
  );
}

export async function enqueueUnsubscribe(
  store: Store,
  gateway: Gateway,
  input: UnsubscribeInput,
  retry: RetrySchedule,
): Promise<{ jobs: JobView[] }> {
  const sub = await pick(gateway, store, input.integration, input.consumer, input.plan);
  const add = enqueuer(store, input.integration, input.consumer, retry);
  const plan = sub.metadata?.[META.plan] ?? sub.id;
  const job = input.now
    ? await add(
        {
          step: 'subscription.cancel',
          summary: `cancel ${plan} for consumer ${input.consumer} now`,
          subscription: sub.id,
        },
        `subscription:${sub.id}:cancel`,
      )
    : await add(
        {
          step: 'subscription.update',
          summary: `cancel ${plan} for consumer ${input.consumer} at period end`,
          subscription: sub.id,
          params: { cancel_at_period_end: true },
        },
        `subscription:${sub.id}:cancel-at-period-end`,
      );
  return { jobs: [job] };
}

/** Moves the subscription's item to the new plan's price; Stripe prorates the rest of the period. */
export async function enqueueChangePlan(
  store: Store,
  gateway: Gateway,
  input: ChangePlanInput,
  retry: RetrySchedule,
): Promise<{ jobs: JobView[] }> {
  const sub = await pick(gateway, store, input.integration, input.consumer, input.from);
  const target = await planPrice(gateway, input.to);
  const item = sub.items.data[0];
  if (item.price.id === target.id) return { jobs: [] };
  const add = enqueuer(store, input.integration, input.consumer, retry);
  const params = {
    items: [{ id: item.id, price: `{price:${input.to}}` }],
    proration_behavior: 'create_prorations',
    metadata: { [META.plan]: input.to },
  };
  const summary = `move consumer ${input.consumer} from ${sub.metadata?.[META.plan] ?? item.price.id} to ${input.to}`;
  return {
    jobs: [
      await add(
        { step: 'subscription.update', summary, subscription: sub.id, params },
        `subscription:${sub.id}:plan:${item.price.id}:${target.id}`,
      ),
    ],
  };
}
