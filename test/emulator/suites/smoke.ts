/** A generic smoke test: every operation of every catalog resource, with params generated from the catalog. */
import qs from 'qs';
import { expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { CatalogOperation, TypeSpec } from '../../../src/catalog/index.ts';
import type { Emulator } from '../../../src/emulator/index.ts';
import { catalog, check } from '../support/harness.ts';

const ORDER: Record<string, number> = {
  create: 0,
  retrieve: 2,
  update: 3,
  list: 4,
  search: 5,
  custom: 6,
  delete: 7,
};

function sample(spec: TypeSpec, name: string, ids: Map<string, string>, depth = 0): unknown {
  switch (spec.type) {
    case 'string':
      return (
        ids.get(name) ??
        (name === 'query' ? "metadata['smoke']:'yes'" : undefined) ??
        (name === 'url' || name.endsWith('_url')
          ? 'https://example.com/x'
          : name === 'currency'
            ? 'usd'
            : name === 'country'
              ? 'US'
              : name === 'email'
                ? 'smoke@example.com'
                : 'smoke')
      );
    case 'enum':
      return spec.values?.find((v) => v !== '') ?? '';
    case 'integer':
      return 1000;
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'timestamp':
      return Math.floor(Date.now() / 1000) + 3600;
    case 'array':
      return spec.items ? [sample(spec.items, name, ids, depth + 1)] : [];
    case 'anyOf':
      return spec.of?.length ? sample(spec.of[0], name, ids, depth) : 'smoke';
    case 'object': {
      if (!spec.fields || depth > 4) return spec.additional ? { k: 'v' } : {};
      const out: Record<string, unknown> = {};
      for (const f of spec.requiredFields ?? []) out[f] = sample(spec.fields[f], f, ids, depth + 1);
      // An empty object would not reach the wire at all: send its first field instead.
      const first = Object.keys(spec.fields)[0];
      if (!Object.keys(out).length && first) out[first] = sample(spec.fields[first], first, ids, depth + 1);
      return out;
    }
    default:
      return 'smoke';
  }
}

type Setup = (
  stripe: Stripe,
  acct: Stripe.RequestOptions,
  ids: Map<string, string>,
  em: Emulator,
) => Promise<{
  path?: Record<string, string>;
  params?: Record<string, unknown>;
  /**
   * A refusal this setup means to provoke (an operation Stripe only allows in a state the smoke
   * run cannot reach): the Stripe error code expected. Without it, only a 2xx counts as answered.
   */
  refusal?: string;
  /** Request options other than the smoke account's (application fees live on the platform). */
  opts?: Stripe.RequestOptions;
}>;

/**
 * Operations that need more than generated params: an object in the right state (a draft invoice
 * to finalize, an uncaptured charge to capture) or params Stripe requires together.
 */
const SETUP: Record<string, Setup> = {
  'customer_cash_balance_transaction:fund_cash_balance': async (_s, _a, ids) => ({
    path: { customer: ids.get('setup:customer')! },
    params: { amount: 5000, currency: 'usd' },
  }),
  'coupon:create': async () => ({ params: { percent_off: 10, duration: 'once' } }),
  'price:create': async (_s, _a, ids) => ({
    params: { product: ids.get('product'), unit_amount: 700, currency: 'usd' },
  }),
  'charge:create': async () => ({ params: { amount: 1000, currency: 'usd', source: 'tok_visa' } }),
  'invoice:create': async (_s, _a, ids) => ({ params: { customer: ids.get('setup:customer') } }),
  'refund:create': async (s, acct) => ({ params: { payment_intent: (await paidIntent(s, acct)).id } }),
  'subscription:create': async (_s, _a, ids) => ({
    params: { customer: ids.get('setup:customer'), items: [{ price: ids.get('price') }] },
  }),
  'subscription:create_customers': async (_s, _a, ids) => ({
    params: { items: [{ price: ids.get('price') }] },
  }),
  'subscription:delete': async (s, acct, ids) => ({
    path: { subscription_exposed_id: (await trial(s, acct, ids)).id },
  }),
  'charge:capture': async (s, acct) => ({
    path: {
      charge: (
        await s.charges.create({ amount: 900, currency: 'usd', source: 'tok_visa', capture: false }, acct)
      ).id,
    },
  }),
  'charge:refund': async (s, acct) => ({
    path: { charge: (await s.charges.create({ amount: 900, currency: 'usd', source: 'tok_visa' }, acct)).id },
  }),
  'invoice:finalize': async (s, acct, ids) => ({ path: { invoice: (await draftInvoice(s, acct, ids)).id } }),
  'invoice:delete': async (s, acct, ids) => ({ path: { invoice: (await draftInvoice(s, acct, ids)).id } }),
  'invoice:pay': async (s, acct, ids) => ({
    path: { invoice: (await openInvoice(s, acct, ids)).id },
    params: { paid_out_of_band: true },
  }),
  'invoice:send': async (s, acct, ids) => ({ path: { invoice: (await openInvoice(s, acct, ids)).id } }),
  'invoice:void': async (s, acct, ids) => ({ path: { invoice: (await openInvoice(s, acct, ids)).id } }),
  'invoice:mark_uncollectible': async (s, acct, ids) => ({
    path: { invoice: (await openInvoice(s, acct, ids)).id },
  }),
  'invoice:upcoming': async (s, acct, ids) => ({
    params: { customer: (await pendingItem(s, acct, ids)).customer },
  }),
  'line_item:list_upcoming': async (s, acct, ids) => ({
    params: { customer: (await pendingItem(s, acct, ids)).customer },
  }),
  'payment_intent:update': async (s, acct) => ({
    path: { intent: (await s.paymentIntents.create({ amount: 1000, currency: 'usd' }, acct)).id },
  }),
  'payment_intent:cancel': async (s, acct) => ({
    path: { intent: (await s.paymentIntents.create({ amount: 1000, currency: 'usd' }, acct)).id },
  }),
  'payment_intent:confirm': async (s, acct) => ({
    path: {
      intent: (
        await s.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa' }, acct)
      ).id,
    },
  }),
  'payment_intent:capture': async (s, acct) => ({
    path: {
      intent: (
        await s.paymentIntents.create(
          {
            amount: 1000,
            currency: 'usd',
            payment_method: 'pm_card_visa',
            capture_method: 'manual',
            confirm: true,
          },
          acct,
        )
      ).id,
    },
  }),
  'setup_intent:confirm': async (s, acct) => ({
    path: { intent: (await s.setupIntents.create({ payment_method: 'pm_card_visa' }, acct)).id },
  }),
  'quote:finalize': async (s, acct, ids) => ({ path: { quote: (await draftQuote(s, acct, ids)).id } }),
  'quote:accept': async (s, acct, ids) => ({
    path: { quote: (await s.quotes.finalizeQuote((await draftQuote(s, acct, ids)).id, {}, acct)).id },
  }),
  'product:delete': async (s, acct) => ({
    path: { id: (await s.products.create({ name: 'Gone' }, acct)).id },
  }),
  'discount:retrieve': async (s, acct) => ({ path: { customer: await discounted(s, acct) } }),
  'discount:delete': async (s, acct) => ({ path: { customer: await discounted(s, acct) } }),
  'balance_transaction:retrieve': async (s, acct) => ({ path: { id: await balanceTxn(s, acct) } }),
  'balance_transaction:retrieve_balance_history': async (s, acct) => ({
    path: { id: await balanceTxn(s, acct) },
  }),
  'event:retrieve': async (s, acct) => ({
    path: { id: (await s.events.list({ limit: 1 }, acct)).data[0].id },
  }),
  'payment_method:retrieve_customers': async (s, acct, ids) => ({
    path: {
      customer: ids.get('setup:customer')!,
      payment_method: (
        await s.paymentMethods.attach('pm_card_visa', { customer: ids.get('setup:customer')! }, acct)
      ).id,
    },
  }),
};

type Acct = Stripe.RequestOptions;

/** A customer with a discount (its coupon given on create, as API 2023-08-16 takes it). */
async function discounted(s: Stripe, acct: Acct): Promise<string> {
  const coupon = await s.coupons.create({ percent_off: 10, duration: 'once' }, acct);
  return (await s.customers.create({ coupon: coupon.id } as Stripe.CustomerCreateParams, acct)).id;
}

const SMOKE_ACCOUNT = 'acct_smoke';

async function raw(
  s: Stripe,
  acct: Acct,
  method: string,
  path: string,
  params: Record<string, unknown> = {},
) {
  return (await s.rawRequest(method, path, params as any, acct)) as any;
}

/** A charge paid with one of Stripe's test cards (`pm_card_createDispute`). */
async function paidWith(s: Stripe, acct: Acct, pm: string, extra: Record<string, unknown> = {}) {
  return s.paymentIntents.create(
    { amount: 2000, currency: 'usd', payment_method: pm, confirm: true, ...extra },
    acct,
  );
}

async function disputed(s: Stripe, acct: Acct, card = 'pm_card_createDispute') {
  const pi = await paidWith(s, acct, card);
  const list = await s.disputes.list({ payment_intent: pi.id } as any, acct);
  return { charge: pi.latest_charge as string, dispute: list.data[0].id };
}

/** A direct charge on the smoke account with a fee for the platform, and the fee (on the platform). */
async function applicationFee(s: Stripe, acct: Acct) {
  const pi = await paidWith(s, acct, 'pm_card_visa', { application_fee_amount: 200 });
  const charge = await s.charges.retrieve(pi.latest_charge as string, {}, acct);
  return charge.application_fee as string;
}

async function customerCard(s: Stripe, acct: Acct, ids: Map<string, string>) {
  const customer = ids.get('setup:customer')!;
  return { customer, id: (await s.customers.createSource(customer, { source: 'tok_visa' }, acct)).id };
}

async function customerBankAccount(s: Stripe, acct: Acct, ids: Map<string, string>) {
  const token = await bankToken(s, acct);
  const customer = ids.get('setup:customer')!;
  return { customer, id: (await s.customers.createSource(customer, { source: token.id }, acct)).id };
}

async function bankToken(s: Stripe, acct: Acct) {
  return s.tokens.create(
    {
      bank_account: {
        country: 'US',
        currency: 'usd',
        account_holder_name: 'Smoke',
        account_holder_type: 'individual',
        routing_number: '110000000',
        account_number: '000123456789',
      },
    },
    acct,
  );
}

const CONNECT_SETUP: Record<string, Setup> = {
  'application_fee:retrieve': async (s, acct) => ({ path: { id: await applicationFee(s, acct) }, opts: {} }),
  'application_fee:refund': async (s, acct) => ({ path: { id: await applicationFee(s, acct) }, opts: {} }),
  'fee_refund:create': async (s, acct) => ({
    path: { id: await applicationFee(s, acct) },
    params: { amount: 50 },
    opts: {},
  }),
  'fee_refund:list': async (s, acct) => ({ path: { id: await applicationFee(s, acct) }, opts: {} }),
  'fee_refund:retrieve': async (s, acct) => feeRefund(s, acct),
  'fee_refund:update': async (s, acct) => feeRefund(s, acct),
  'capability:retrieve': async (s, acct) => capability(s, acct),
  'capability:update': async (s, acct) => ({ ...(await capability(s, acct)), params: { requested: true } }),
  // Fresh accounts: the smoke run deletes `account` among the other deletes.
  'person:delete': async (s, acct) => {
    const account = (await s.accounts.create({ type: 'custom' }, acct)).id;
    return { path: { account, person: (await s.accounts.createPerson(account, {}, acct)).id } };
  },
  'external_account:delete_external_accounts': async (s, acct) => {
    const account = (await s.accounts.create({ type: 'custom' }, acct)).id;
    const ext = await s.accounts.createExternalAccount(account, { external_account: 'tok_visa_debit' }, acct);
    return { path: { account, id: ext.id } };
  },
};

async function feeRefund(s: Stripe, acct: Acct) {
  const fee = await applicationFee(s, acct);
  const refund = await s.applicationFees.createRefund(fee, { amount: 50 });
  return { path: { fee, id: refund.id }, opts: {} };
}

async function capability(s: Stripe, acct: Acct) {
  const account = await s.accounts.create(
    { type: 'custom', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } },
    acct,
  );
  return { path: { account: account.id, capability: 'card_payments' } };
}

const SOURCES_SETUP: Record<string, Setup> = {
  'payment_source:create_cards': async () => ({ params: { source: 'tok_mastercard' } }),
  'payment_source:create_sources': async () => ({ params: { source: 'tok_visa' } }),
  'payment_source:create': async (s, acct) => ({ params: { source: (await bankToken(s, acct)).id } }),
  'payment_source:retrieve': async (s, acct, ids) => ({ path: await customerCard(s, acct, ids) }),
  'card:retrieve': async (s, acct, ids) => ({ path: await customerCard(s, acct, ids) }),
  'card:update': async (s, acct, ids) => ({ path: await customerCard(s, acct, ids) }),
  'payment_source:delete_cards': async (s, acct, ids) => ({ path: await customerCard(s, acct, ids) }),
  'payment_source:delete_sources': async (s, acct, ids) => ({ path: await customerCard(s, acct, ids) }),
  'bank_account:retrieve': async (s, acct, ids) => ({ path: await customerBankAccount(s, acct, ids) }),
  'bank_account:update': async (s, acct, ids) => ({ path: await customerBankAccount(s, acct, ids) }),
  'bank_account:verify': async (s, acct, ids) => ({
    path: await customerBankAccount(s, acct, ids),
    params: { amounts: [32, 45] },
  }),
  'bank_account:verify_sources': async (s, acct, ids) => ({
    path: await customerBankAccount(s, acct, ids),
    params: { amounts: [32, 45] },
  }),
};

const RISK_SETUP: Record<string, Setup> = {
  'dispute:retrieve': async (s, acct) => ({ path: { dispute: (await disputed(s, acct)).dispute } }),
  'dispute:update': async (s, acct) => ({
    path: { dispute: (await disputed(s, acct)).dispute },
    params: { evidence: { customer_name: 'Smoke' }, submit: false },
  }),
  'dispute:close': async (s, acct) => ({ path: { dispute: (await disputed(s, acct)).dispute } }),
  'dispute:retrieve_charges_dispute': async (s, acct) => ({
    path: { charge: (await disputed(s, acct)).charge },
  }),
  'dispute:update_charges_dispute': async (s, acct) => ({
    path: { charge: (await disputed(s, acct, 'pm_card_createDisputeInquiry')).charge },
    params: { evidence: { uncategorized_text: 'Smoke' } },
  }),
  'dispute:close_charges_dispute': async (s, acct) => ({
    path: { charge: (await disputed(s, acct, 'pm_card_createDisputeProductNotReceived')).charge },
  }),
  'radar.early_fraud_warning:retrieve': async (s, acct) => {
    const pi = await paidWith(s, acct, 'pm_card_createIssuerFraudRecord');
    const list = await s.radar.earlyFraudWarnings.list({ payment_intent: pi.id }, acct);
    return { path: { early_fraud_warning: list.data[0].id } };
  },
  'review:retrieve': async (_s, _a, _ids, em) => ({ path: { review: loadOne(em, 'review', REVIEW) } }),
  'review:approve': async (_s, _a, _ids, em) => ({ path: { review: loadOne(em, 'review', REVIEW) } }),
  // A refund waits on the customer (requires_action) only for payment methods the emulator does not run.
  'refund:cancel': async (_s, _a, _ids, em) => ({
    path: { refund: loadOne(em, 'refund', { amount: 500, currency: 'usd', status: 'requires_action' }) },
  }),
};

const REVIEW = { open: true, opened_reason: 'rule', reason: 'rule' };

/**
 * Objects Stripe makes outside the API (a customer's hosted Financial Connections flow, card network
 * settlements, Sigma runs, Identity's checks) reach the emulator by bulk load, as a test would.
 */
function loadOne(em: Emulator, resource: string, fields: Record<string, unknown>): string {
  const obj: Record<string, unknown> = { ...fields };
  em.load(resource, [obj], { account: SMOKE_ACCOUNT });
  return obj.id as string;
}

const FC_ACCOUNT = {
  category: 'cash',
  subcategory: 'checking',
  institution_name: 'StripeBank',
  last4: '6789',
  status: 'active',
  supported_payment_method_types: ['us_bank_account'],
};
const fcAccount = (em: Emulator) => ({
  path: { account: loadOne(em, 'financial_connections.account', FC_ACCOUNT) },
});
const refresh = (em: Emulator) => ({ ...fcAccount(em), params: { features: ['balance'] } });

const LATER_SETUP: Record<string, Setup> = {
  'financial_connections.account:retrieve': async (_s, _a, _i, em) => fcAccount(em),
  'financial_connections.account:retrieve_linked_accounts': async (_s, _a, _i, em) => fcAccount(em),
  'financial_connections.account:disconnect': async (_s, _a, _i, em) => fcAccount(em),
  'financial_connections.account:disconnect_linked_accounts': async (_s, _a, _i, em) => fcAccount(em),
  'financial_connections.account:refresh': async (_s, _a, _i, em) => refresh(em),
  'financial_connections.account:refresh_linked_accounts': async (_s, _a, _i, em) => refresh(em),
  'financial_connections.account_owner:list': async (_s, _a, _i, em) => fcAccount(em),
  'financial_connections.account_owner:list_linked_accounts': async (_s, _a, _i, em) => fcAccount(em),
  'identity.verification_report:retrieve': async (_s, _a, _i, em) => ({
    path: { report: loadOne(em, 'identity.verification_report', { type: 'document' }) },
  }),
  'issuing.settlement:retrieve': async (_s, _a, _i, em) => ({ path: { settlement: settlement(em) } }),
  'issuing.settlement:update': async (_s, _a, _i, em) => ({ path: { settlement: settlement(em) } }),
  'scheduled_query_run:retrieve': async (_s, _a, _i, em) => ({
    path: {
      scheduled_query_run: loadOne(em, 'scheduled_query_run', {
        sql: 'select id from charges',
        status: 'completed',
        title: 'Smoke',
      }),
    },
  }),
  'source_transaction:retrieve': async (s, acct, ids, em) => {
    const source = ids.get('source')!;
    const fields = { amount: 500, currency: 'usd', source, status: 'succeeded', type: 'ach_credit_transfer' };
    return { path: { source, source_transaction: loadOne(em, 'source_transaction', fields) } };
  },
  'source_mandate_notification:retrieve': async (s, acct, ids, em) => {
    const source = await s.sources.retrieve(ids.get('source')!, {}, acct);
    const fields = { reason: 'debit_initiated', source, status: 'submitted', type: 'sepa_debit' };
    return {
      path: { source: source.id, mandate_notification: loadOne(em, 'source_mandate_notification', fields) },
    };
  },
  'mandate:retrieve': async (_s, _a, ids, em) => ({
    path: {
      mandate: loadOne(em, 'mandate', {
        payment_method: ids.get('payment_method'),
        status: 'active',
        type: 'multi_use',
      }),
    },
  }),
  'customer_cash_balance_transaction:retrieve': async (s, acct, ids) => {
    const customer = ids.get('setup:customer')!;
    const txn = await raw(s, acct, 'POST', `/v1/test_helpers/customers/${customer}/fund_cash_balance`, {
      amount: 1000,
      currency: 'usd',
    });
    return { path: { customer, transaction: txn.id } };
  },
  'issuing.transaction:retrieve': async (s, acct, ids) => ({
    path: { transaction: await issuingTxn(s, acct, ids) },
  }),
  'issuing.transaction:update': async (s, acct, ids) => ({
    path: { transaction: await issuingTxn(s, acct, ids) },
  }),
  'tax.transaction:retrieve': async (s, acct) => ({ path: { transaction: await taxTxn(s, acct) } }),
  'tax.transaction_line_item:list': async (s, acct) => ({ path: { transaction: await taxTxn(s, acct) } }),
  'treasury.transaction:retrieve': async (s, acct, ids) => ({
    path: { id: (await receivedCredit(s, acct, ids)).transaction },
  }),
  'treasury.transaction_entry:retrieve': async (s, acct, ids) => {
    const rc = await receivedCredit(s, acct, ids);
    const entries = await raw(
      s,
      acct,
      'GET',
      `/v1/treasury/transaction_entries?financial_account=${rc.financial_account}&transaction=${rc.transaction}`,
    );
    return { path: { id: entries.data[0].id } };
  },
  'country_spec:retrieve': async () => ({ path: { country: 'US' } }),
  'exchange_rate:retrieve': async () => ({ path: { rate_id: 'usd' } }),
  'tax_code:retrieve': async () => ({ path: { id: 'txcd_99999999' } }),
  'reporting.report_type:retrieve': async () => ({ path: { report_type: 'balance.summary.1' } }),
};

function settlement(em: Emulator): string {
  return loadOne(em, 'issuing.settlement', {
    currency: 'usd',
    network: 'visa',
    transaction_count: 1,
    metadata: {},
  });
}

async function issuingTxn(s: Stripe, acct: Acct, ids: Map<string, string>): Promise<string> {
  const txn = await raw(s, acct, 'POST', '/v1/test_helpers/issuing/transactions/create_force_capture', {
    amount: 1000,
    card: ids.get('issuing.card'),
  });
  return txn.id;
}

async function taxTxn(s: Stripe, acct: Acct): Promise<string> {
  const calc = await s.tax.calculations.create(
    {
      currency: 'usd',
      line_items: [{ amount: 1000, reference: 'L1' }],
      customer_details: { address: { country: 'US', postal_code: '10001' }, address_source: 'shipping' },
    },
    acct,
  );
  const txn = await s.tax.transactions.createFromCalculation(
    { calculation: calc.id!, reference: `smoke-${calc.id}` },
    acct,
  );
  return txn.id;
}

async function receivedCredit(s: Stripe, acct: Acct, ids: Map<string, string>) {
  return raw(s, acct, 'POST', '/v1/test_helpers/treasury/received_credits', {
    amount: 1000,
    currency: 'usd',
    financial_account: ids.get('treasury.financial_account'),
    network: 'ach',
  });
}

async function paidIntent(s: Stripe, acct: Stripe.RequestOptions) {
  return s.paymentIntents.create(
    { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
    acct,
  );
}

async function balanceTxn(s: Stripe, acct: Stripe.RequestOptions): Promise<string> {
  const charge = await s.charges.retrieve((await paidIntent(s, acct)).latest_charge as string, {}, acct);
  return charge.balance_transaction as string;
}

async function trial(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  return s.subscriptions.create(
    { customer: ids.get('setup:customer')!, items: [{ price: ids.get('price')! }], trial_period_days: 3 },
    acct,
  );
}

async function pendingItem(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  return s.invoiceItems.create({ customer: ids.get('setup:customer')!, amount: 700, currency: 'usd' }, acct);
}

async function draftInvoice(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  const inv = await s.invoices.create(
    { customer: ids.get('setup:customer')!, collection_method: 'send_invoice', days_until_due: 7 },
    acct,
  );
  await s.invoiceItems.create(
    { customer: ids.get('setup:customer')!, amount: 500, currency: 'usd', invoice: inv.id },
    acct,
  );
  return inv;
}

async function openInvoice(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  return s.invoices.finalizeInvoice((await draftInvoice(s, acct, ids)).id, {}, acct);
}

async function draftQuote(s: Stripe, acct: Stripe.RequestOptions, ids: Map<string, string>) {
  const price = await s.prices.create(
    { currency: 'usd', unit_amount: 300, product_data: { name: 'Q' } },
    acct,
  );
  return s.quotes.create({ customer: ids.get('setup:customer')!, line_items: [{ price: price.id }] }, acct);
}

export function smokeSuite(get: () => { em: Emulator; stripe: Stripe }) {
  it('answers every catalog operation in Stripe shape; 2xx bodies validate against the schema', async () => {
    const { em, stripe } = get();
    const acct = { stripeAccount: SMOKE_ACCOUNT };
    const ids = new Map<string, string>();
    const customer = await stripe.customers.create({ name: 'Smoke' }, acct);
    const price = await stripe.prices.create(
      {
        currency: 'usd',
        unit_amount: 100,
        recurring: { interval: 'month' },
        product_data: { name: 'Smoke' },
      },
      acct,
    );
    const pi = await stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      acct,
    );
    const sub = await stripe.subscriptions.create(
      { customer: customer.id, items: [{ price: price.id }], trial_period_days: 3 },
      acct,
    );
    Object.entries({
      customer: customer.id,
      price: price.id,
      product: price.product as string,
      payment_intent: pi.id,
      charge: pi.latest_charge as string,
      subscription: sub.id,
      invoice: sub.latest_invoice as string,
      payment_method: pi.payment_method as string,
    }).forEach(([k, v]) => ids.set(k, v));
    // Set-ups use a customer of their own: the smoke run deletes `customer` along the way.
    ids.set('setup:customer', (await stripe.customers.create({ name: 'Setup' }, acct)).id);
    const created = new Map<string, string>(ids);
    const entries = Object.entries(catalog.raw.resources).flatMap(([rid, r]) =>
      r.operations.map((op) => ({ rid, op })),
    );
    entries.sort(
      (a, b) =>
        (ORDER[a.op.kind] ?? 9) - (ORDER[b.op.kind] ?? 9) ||
        (a.op.pathParams.some((p) => p.self) ? 1 : 0) - (b.op.pathParams.some((p) => p.self) ? 1 : 0),
    );
    const setups = { ...SETUP, ...CONNECT_SETUP, ...SOURCES_SETUP, ...RISK_SETUP, ...LATER_SETUP };
    let answered = 0;
    const unexpected: string[] = [];
    for (const { rid, op } of entries) {
      const setup = await setups[`${rid}:${op.name}`]?.(stripe, acct, created, em);
      const path = fillPath(op, rid, created, setup?.path);
      const params: Record<string, unknown> = {};
      for (const p of op.params) if (p.required) params[p.name] = sample(p, p.name, created);
      Object.assign(params, setup?.params);
      if (op.response.kind === 'binary') {
        // The SDK streams binary bodies from files.stripe.com; fetch the emulator's route directly.
        const res = await fetch(`${em.url}${path}`, {
          headers: { authorization: 'Bearer sk_test_smoke', 'stripe-account': acct.stripeAccount },
        });
        expect((await res.text()).startsWith('%PDF')).toBe(true);
        check(op.method, path, res.status, undefined);
        answered++;
        continue;
      }
      try {
        const query = op.method === 'POST' ? '' : qs.stringify(params, { arrayFormat: 'indices' });
        const res: any = await stripe.rawRequest(
          op.method,
          query ? `${path}?${query}` : path,
          op.method === 'POST' ? (params as any) : undefined,
          setup?.opts ?? acct,
        );
        answered++;
        if (op.kind === 'create' || (op.kind === 'custom' && !op.pathParams.some((p) => p.self))) {
          if (typeof res.id === 'string' && !created.has(rid)) created.set(rid, res.id);
        }
        if (setup?.refusal) unexpected.push(`${op.method} ${path}: answered 2xx, expected ${setup.refusal}`);
      } catch (error: any) {
        // An answer is a 2xx (its body validated against the schema by the harness) or the
        // Stripe-shaped refusal its setup asked for; any other error is a failure.
        if (setup?.refusal && error.statusCode < 500 && error.code === setup.refusal && error.raw?.message)
          answered++;
        else unexpected.push(`${op.method} ${path}: ${error.statusCode} ${error.code} ${error.message}`);
        if (process.env.SMOKE_VERBOSE)
          console.log(`SMOKE ${rid}:${op.name} ${op.method} ${path} -> ${error.statusCode} ${error.message}`);
      }
    }
    expect(unexpected).toEqual([]);
    expect(answered).toBe(entries.length);
  });
}

function fillPath(
  op: CatalogOperation,
  rid: string,
  created: Map<string, string>,
  given: Record<string, string> = {},
): string {
  let path = op.path;
  for (const p of op.pathParams) {
    const target = p.self ? rid : (p.resource ?? p.name);
    path = path.replace(
      `{${p.name}}`,
      encodeURIComponent(given[p.name] ?? created.get(target) ?? created.get(p.name) ?? `${p.name}_missing`),
    );
  }
  return path;
}
