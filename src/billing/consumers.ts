/**
 * A consumer (the provider's user) and their Stripe customer. The customer carries the consumer's
 * id in metadata, which is the truth; the store keeps the ids last seen (customer, card) so the
 * next job of a subscription finds them without a search (Stripe's search lags writes).
 */
import type { Gateway } from '../gateway/index.ts';
import type { Store } from '../store/index.ts';
import { META, listAll } from './stripe-state.ts';

export interface ConsumerRecord {
  customer?: string;
  paymentMethod?: string;
  /** Subscriptions made so far per plan: part of the next subscribe's keys, so a resubscribe is new. */
  generations?: Record<string, number>;
}

const kvKey = (integration: string, consumer: string) => `billing:consumer:${integration}:${consumer}`;

export async function consumerRecord(
  store: Store,
  integration: string,
  consumer: string,
): Promise<ConsumerRecord> {
  return (await store.kv.get<ConsumerRecord>(kvKey(integration, consumer))) ?? {};
}

export async function updateConsumer(
  store: Store,
  integration: string,
  consumer: string,
  change: (r: ConsumerRecord) => ConsumerRecord,
): Promise<ConsumerRecord> {
  return store.transaction(async (tx) => {
    const next = change((await tx.kv.get<ConsumerRecord>(kvKey(integration, consumer))) ?? {});
    await tx.kv.set(kvKey(integration, consumer), next);
    return next;
  });
}

interface Customer {
  id: string;
  email: string | null;
  deleted?: boolean;
  metadata: Record<string, string>;
}

/** The consumer's customer in Stripe: the one remembered, else one with the consumer id in metadata. */
export async function findCustomer(
  gateway: Gateway,
  store: Store,
  integration: string,
  consumer: string,
  email?: string,
): Promise<string | undefined> {
  const known = (await consumerRecord(store, integration, consumer)).customer;
  if (known) return known;
  // By email when we have it (a list filter), otherwise the whole list; the metadata decides.
  const customers = await listAll<Customer>(gateway, '/v1/customers', email ? { email } : {});
  const found = customers.find((c) => !c.deleted && c.metadata?.[META.consumer] === consumer);
  if (found) await updateConsumer(store, integration, consumer, (r) => ({ ...r, customer: found.id }));
  return found?.id;
}
