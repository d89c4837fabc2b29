/**
 * Every action of the entities MISSION.md names, run at least once against the emulator, with a
 * setup that puts the object in a state where Stripe allows the action.
 */
import { describe, expect, it } from 'vitest';
import { runAction } from '../../src/actions/index.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { createEntity } from '../../src/entities/index.ts';
import { ConnectorError } from '../../src/errors.ts';
import { useEmulator } from '../support/emulator.ts';

const env = useEmulator();
type Json = Record<string, any>;
const create = (entity: string, payload: Json) => createEntity(env.ctx, entity, payload) as Promise<Json>;
const act = (name: string, payload: Json) => runAction(env.ctx, name, payload) as Promise<Json>;

const MISSION_ENTITIES = [
  'PaymentIntent',
  'Invoice',
  'Quote',
  'PaymentMethod',
  'Customer',
  'Product',
  'Price',
  'Charge',
  'Subscription',
  'InvoiceItem',
  'Refund',
  'Coupon',
];

async function openInvoice(extra: Json = {}) {
  const customer = await create('Customer', { name: 'Inv', email: 'inv@example.com' });
  await create('InvoiceItem', { customer: customer.id, amount: 1200, currency: 'usd' });
  const invoice = await create('Invoice', {
    customer: customer.id,
    pending_invoice_items_behavior: 'include',
    ...extra,
  });
  return act('FinalizeInvoice', { InvoiceId: invoice.id });
}

async function draftQuote() {
  const customer = await create('Customer', { name: 'Q' });
  const product = await create('Product', { name: 'Q product' });
  const price = await create('Price', { product: product.id, unit_amount: 1000, currency: 'usd' });
  return create('Quote', { customer: customer.id, line_items: [{ price: price.id, quantity: 2 }] });
}

const intent = (extra: Json = {}) =>
  create('PaymentIntent', { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', ...extra });
const charge = (extra: Json = {}) =>
  create('Charge', { amount: 2000, currency: 'usd', source: 'tok_visa', ...extra });

type OfPayload = Json | ((payload: Json) => Json);

/**
 * Action → the payload that makes it valid (after any setup); what the answer must be (a field the
 * action changes); and the params that must go out (form body for POST, query for GET; default none).
 */
const CASES: Record<string, { payload: () => Promise<Json>; expect: OfPayload; sent?: OfPayload }> = {
  ConfirmPaymentIntent: {
    payload: async () => ({ PaymentIntentId: (await intent()).id }),
    expect: { status: 'succeeded' },
  },
  CapturePaymentIntent: {
    payload: async () => ({ intent: (await intent({ capture_method: 'manual', confirm: true })).id }),
    expect: { status: 'succeeded' },
  },
  CancelPaymentIntent: {
    payload: async () => ({ id: (await intent()).id, cancellation_reason: 'abandoned' }),
    expect: { status: 'canceled', cancellation_reason: 'abandoned' },
    sent: { cancellation_reason: 'abandoned' },
  },
  IncrementAuthorizationPaymentIntent: {
    payload: async () => ({
      PaymentIntentId: (await intent({ capture_method: 'manual', confirm: true })).id,
      amount: 2500,
    }),
    expect: { amount: 2500, status: 'requires_capture' },
    sent: { amount: '2500' },
  },
  ApplyCustomerBalancePaymentIntent: {
    payload: async () => {
      const customer = await create('Customer', { name: 'Bal' });
      return {
        PaymentIntentId: (
          await create('PaymentIntent', {
            amount: 500,
            currency: 'usd',
            customer: customer.id,
            payment_method_types: ['customer_balance'],
          })
        ).id,
      };
    },
    // No balance to apply: the intent stays as it was, with no amount received.
    expect: (p) => ({ id: p.PaymentIntentId, status: 'requires_payment_method', amount_received: 0 }),
  },
  VerifyMicrodepositsPaymentIntent: {
    payload: async () => ({ PaymentIntentId: (await intent()).id, amounts: [32, 45] }),
    expect: (p) => ({ id: p.PaymentIntentId, status: 'requires_confirmation' }),
    sent: { amounts: ['32', '45'] },
  },
  AttachPaymentMethod: {
    payload: async () => ({
      PaymentMethodId: (await create('PaymentMethod', { type: 'card', card: { token: 'tok_visa' } })).id,
      CustomerId: (await create('Customer', {})).id,
    }),
    expect: (p) => ({ id: p.PaymentMethodId, customer: p.CustomerId }),
    sent: (p) => ({ customer: p.CustomerId }),
  },
  DetachPaymentMethod: {
    payload: async () => {
      const pm = await create('PaymentMethod', { type: 'card', card: { token: 'tok_visa' } });
      await act('AttachPaymentMethod', {
        PaymentMethodId: pm.id,
        customer: (await create('Customer', {})).id,
      });
      return { payment_method: pm.id };
    },
    expect: { customer: null },
  },
  FinalizeInvoice: {
    payload: async () => {
      const customer = await create('Customer', {});
      await create('InvoiceItem', { customer: customer.id, amount: 700, currency: 'usd' });
      return {
        InvoiceId: (
          await create('Invoice', { customer: customer.id, pending_invoice_items_behavior: 'include' })
        ).id,
      };
    },
    expect: { status: 'open' },
  },
  PayInvoice: {
    payload: async () => ({ InvoiceId: (await openInvoice()).id, paid_out_of_band: true }),
    expect: { status: 'paid', paid: true },
    sent: { paid_out_of_band: 'true' },
  },
  VoidInvoice: { payload: async () => ({ InvoiceId: (await openInvoice()).id }), expect: { status: 'void' } },
  MarkUncollectibleInvoice: {
    payload: async () => ({ InvoiceId: (await openInvoice()).id }),
    expect: { status: 'uncollectible' },
  },
  SendInvoice: {
    payload: async () => ({
      InvoiceId: (await openInvoice({ collection_method: 'send_invoice', days_until_due: 30 })).id,
    }),
    expect: (p) => ({ id: p.InvoiceId, status: 'open', collection_method: 'send_invoice', amount_due: 1200 }),
  },
  UpcomingInvoice: {
    payload: async () => {
      const customer = await create('Customer', {});
      await create('InvoiceItem', { customer: customer.id, amount: 300, currency: 'usd' });
      return { CustomerId: customer.id };
    },
    // The preview is computed from the pending item.
    expect: (p) => ({ object: 'invoice', customer: p.CustomerId, amount_due: 300 }),
    sent: (p) => ({ customer: p.CustomerId }),
  },
  FinalizeQuote: { payload: async () => ({ QuoteId: (await draftQuote()).id }), expect: { status: 'open' } },
  AcceptQuote: {
    payload: async () => {
      const q = await draftQuote();
      await act('FinalizeQuote', { quote: q.id });
      return { QuoteId: q.id };
    },
    expect: { status: 'accepted' },
  },
  CancelQuote: {
    payload: async () => ({ QuoteId: (await draftQuote()).id }),
    expect: { status: 'canceled' },
  },
  PdfQuote: {
    payload: async () => {
      const q = await draftQuote();
      await act('FinalizeQuote', { quote: q.id });
      return { QuoteId: q.id };
    },
    expect: { contentType: 'application/pdf' },
  },
  CaptureCharge: {
    payload: async () => ({ ChargeId: (await charge({ capture: false })).id }),
    expect: { captured: true },
  },
  RefundCharge: { payload: async () => ({ ChargeId: (await charge()).id }), expect: { refunded: true } },
  CancelRefund: {
    payload: async () => ({ RefundId: (await create('Refund', { charge: (await charge()).id })).id }),
    expect: { status: 'canceled' },
  },
  ExpireRefund: {
    payload: async () => ({ RefundId: (await create('Refund', { charge: (await charge()).id })).id }),
    expect: (p) => ({ id: p.RefundId, status: 'expired' }),
  },
  ResumeSubscription: {
    payload: async () => {
      const customer = await create('Customer', {});
      const product = await create('Product', { name: 'Sub' });
      const price = await create('Price', {
        product: product.id,
        unit_amount: 900,
        currency: 'usd',
        recurring: { interval: 'month' },
      });
      await act('AttachPaymentMethod', { PaymentMethodId: 'pm_card_visa', CustomerId: customer.id }).catch(
        () => undefined,
      );
      const sub = await create('Subscription', {
        customer: customer.id,
        items: [{ price: price.id }],
        collection_method: 'send_invoice',
        days_until_due: 7,
      });
      return { SubscriptionId: sub.id };
    },
    expect: (p) => ({ id: p.SubscriptionId, status: 'active', pause_collection: null }),
  },
};

/**
 * Actions whose precondition the emulator or Stripe refuses in this setup: the run must end in
 * Stripe's mapped error (never a fake success, never an internal error). Each with the reason.
 */
const REFUSED: Record<string, string> = {
  // Card refunds succeed at once; Stripe cancels only refunds that still require action.
  CancelRefund: 'a card refund has status succeeded, which Stripe does not cancel',
};

const actions = loadCatalog()
  .actions()
  .filter((a) => MISSION_ENTITIES.includes(a.entity.entity));

describe('every action of the MISSION entities runs against the emulator', () => {
  it('has a case for each of them', () => {
    expect(actions.map((a) => a.name).filter((n) => !CASES[n])).toEqual([]);
  });

  for (const action of actions) {
    it(action.name, async () => {
      const c = CASES[action.name];
      const payload = await c.payload();
      const of = (v: OfPayload | undefined) => (typeof v === 'function' ? v(payload) : (v ?? {}));
      env.emulator.clearRequests();
      try {
        const out = await act(action.name, payload);
        expect(REFUSED[action.name], `${action.name} succeeded although listed as refused`).toBeUndefined();
        expect(out).toMatchObject(of(c.expect));
      } catch (error) {
        if (!REFUSED[action.name]) throw error;
        expect(error).toBeInstanceOf(ConnectorError);
        expect((error as ConnectorError).code).toMatch(/^STRIPE_/);
      }
      // Exactly one request, to the operation's path with the payload's ids in it, with these params.
      expect(env.emulator.requests, 'one request reached the emulator').toHaveLength(1);
      const [sent] = env.emulator.requests;
      const ids = new Set(Object.values(payload).filter((v) => typeof v === 'string'));
      const pattern = new RegExp(`^${action.operation.path.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
      const match = pattern.exec(sent.path);
      expect(match, `${sent.path} is ${action.operation.path}`).not.toBeNull();
      for (const id of match!.slice(1)) expect(ids, `${id} comes from the payload`).toContain(id);
      expect(sent.method).toBe(action.operation.method);
      expect(action.operation.method === 'GET' ? sent.query : sent.body).toEqual(of(c.sent));
      if (action.operation.method === 'POST') expect(sent.idempotencyKey).toBeTruthy();
    });
  }
});
