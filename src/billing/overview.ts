/** A consumer's billing as Stripe has it: subscriptions, invoices and payments, condensed. */
import type { Gateway } from '../gateway/index.ts';
import type { Store } from '../store/index.ts';
import { findCustomer } from './consumers.ts';
import { META, listAll } from './stripe-state.ts';

export interface ConsumerOverview {
  consumer: string;
  customer: string | null;
  subscriptions: Array<{
    id: string;
    plan: string | null;
    status: string;
    price: string | null;
    currentPeriodEnd: number;
    cancelAtPeriodEnd: boolean;
  }>;
  invoices: Array<{
    id: string;
    status: string;
    billingReason: string | null;
    amountDue: number;
    amountPaid: number;
    currency: string;
    created: number;
  }>;
  payments: Array<{
    id: string;
    amount: number;
    currency: string;
    status: string;
    paid: boolean;
    failure: string | null;
    created: number;
  }>;
}

export async function consumerOverview(
  gateway: Gateway,
  store: Store,
  integration: string,
  consumer: string,
): Promise<ConsumerOverview> {
  const customer = await findCustomer(gateway, store, integration, consumer);
  if (!customer) return { consumer, customer: null, subscriptions: [], invoices: [], payments: [] };
  const [subs, invoices, charges] = await Promise.all([
    listAll<any>(gateway, '/v1/subscriptions', { customer, status: 'all' }),
    listAll<any>(gateway, '/v1/invoices', { customer }),
    listAll<any>(gateway, '/v1/charges', { customer }),
  ]);
  return {
    consumer,
    customer,
    subscriptions: subs.map((s) => ({
      id: s.id,
      plan: s.metadata?.[META.plan] ?? null,
      status: s.status,
      price: s.items?.data?.[0]?.price?.id ?? null,
      currentPeriodEnd: s.current_period_end,
      cancelAtPeriodEnd: Boolean(s.cancel_at_period_end),
    })),
    invoices: invoices.map((i) => ({
      id: i.id,
      status: i.status,
      billingReason: i.billing_reason ?? null,
      amountDue: i.amount_due,
      amountPaid: i.amount_paid,
      currency: i.currency,
      created: i.created,
    })),
    payments: charges.map((c) => ({
      id: c.id,
      amount: c.amount,
      currency: c.currency,
      status: c.status,
      paid: Boolean(c.paid),
      failure: c.failure_message
        ? `${c.failure_message}${c.outcome?.reason ? ` (${c.outcome.reason})` : ''}`
        : null,
      created: c.created,
    })),
  };
}
