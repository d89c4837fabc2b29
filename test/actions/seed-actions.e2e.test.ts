/** Every example of MISSION.md §2, end to end against the emulator, output shapes field by field. */
import { describe, expect, it } from 'vitest';
import { runAction } from '../../src/actions/index.ts';
import { createEntity, getEntity } from '../../src/entities/index.ts';
import { rejection, useEmulator } from '../support/emulator.ts';

const env = useEmulator();
type Json = Record<string, any>;

const create = (entity: string, payload: Json) => createEntity(env.ctx, entity, payload) as Promise<Json>;
const seed = (name: string, payload: Json) =>
  runAction(env.ctx, name, payload, { shape: 'seed' }) as Promise<Json[]>;

async function customerWithCard() {
  const customer = await create('Customer', { Email: 'jane@example.com' });
  const pm = await create('PaymentMethod', { type: 'card', card: { token: 'tok_visa' } }).catch(() =>
    create('PaymentMethod', {
      type: 'card',
      'card.number': '4242424242424242',
      'card.exp_month': 12,
      'card.exp_year': 2034,
      'card.cvc': '123',
    }),
  );
  return { customer, pm };
}

async function openQuote() {
  const customer = await create('Customer', { name: 'Quote Co' });
  const product = await create('Product', { name: 'Consulting' });
  const price = await create('Price', { product: product.id, unit_amount: 33000, currency: 'usd' });
  return create('Quote', { CustomerId: customer.id, line_items: [{ price: price.id, quantity: 1 }] });
}

/** The seed's scalars are strings; null stays null. */
const isSeedScalar = (v: unknown) =>
  v === null || typeof v === 'string' || Array.isArray(v) || typeof v === 'object';

describe('MISSION §2 actions, seed shapes', () => {
  it('ConfirmPaymentIntent with ReturnUrl → [{Success, id, object, status: succeeded, …flattened}]', async () => {
    const intent = await create('PaymentIntent', {
      Amount: 33000,
      Currency: 'usd',
      PaymentMethod: 'pm_card_visa',
    });
    const out = await seed('ConfirmPaymentIntent', {
      ReturnUrl: 'http://google.com/',
      PaymentIntentId: intent.id,
    });
    expect(out).toHaveLength(1);
    const row = out[0];
    expect(row.Success).toBe('true');
    expect(row.id).toBe(intent.id);
    expect(row.object).toBe('payment_intent');
    expect(row.status).toBe('succeeded');
    expect(row.amount).toBe('33000');
    expect(row.amount_capturable).toBe('0');
    expect(row.amount_received).toBe('33000');
    expect(row.capture_method).toBe('automatic');
    expect(row.currency).toBe('usd');
    expect(row.livemode).toBe('false');
    expect(row.canceled_at).toBeNull();
    expect(row.latest_charge).toMatch(/^ch_/);
    expect(Object.values(row).every(isSeedScalar)).toBe(true);
    const sent = env.emulator.requests.find((r) => r.path === `/v1/payment_intents/${intent.id}/confirm`);
    expect(sent?.body).toMatchObject({ return_url: 'http://google.com/' });
  });

  it("ConfirmPaymentIntent row carries the seed's dotted column payment_method_options.card.installments", async () => {
    const intent = await create('PaymentIntent', {
      Amount: 1500,
      Currency: 'usd',
      PaymentMethod: 'pm_card_visa',
    });
    const [row] = await seed('ConfirmPaymentIntent', { PaymentIntentId: intent.id });
    expect(row).toHaveProperty(['payment_method_options.card.installments'], null);
    expect(row['payment_method_options.card.request_three_d_secure']).toBe('automatic');
  });

  it('CapturePaymentIntent → capture_method manual, status succeeded', async () => {
    const intent = await create('PaymentIntent', {
      Amount: 33000,
      Currency: 'usd',
      PaymentMethod: 'pm_card_visa',
      CaptureMethod: 'manual',
      Confirm: true,
    });
    expect(intent.status).toBe('requires_capture');
    const [row] = await seed('CapturePaymentIntent', { PaymentIntentId: intent.id });
    expect(row).toMatchObject({
      Success: 'true',
      id: intent.id,
      object: 'payment_intent',
      capture_method: 'manual',
      status: 'succeeded',
      amount_received: '33000',
      amount_capturable: '0',
    });
  });

  it('CancelPaymentIntent → status canceled, canceled_at set', async () => {
    const intent = await create('PaymentIntent', {
      Amount: 33000,
      Currency: 'usd',
      PaymentMethod: 'pm_card_visa',
      CaptureMethod: 'manual',
      Confirm: true,
    });
    const [row] = await seed('CancelPaymentIntent', { PaymentIntentId: intent.id });
    expect(row).toMatchObject({
      Success: 'true',
      id: intent.id,
      object: 'payment_intent',
      status: 'canceled',
      amount_received: '0',
    });
    expect(row.canceled_at).toMatch(/^\d+$/);
  });

  it('AttachPaymentMethodToCustomer → [{Success}]; DetachPaymentMethodFromCustomer → [{Success}], then it cannot be re-attached', async () => {
    const { customer, pm } = await customerWithCard();
    expect(
      await seed('AttachPaymentMethodToCustomer', { PaymentMethodId: pm.id, CustomerId: customer.id }),
    ).toEqual([{ Success: 'true' }]);
    expect(await getEntity(env.ctx, 'PaymentMethod', pm.id)).toMatchObject({ customer: customer.id });
    expect(await seed('DetachPaymentMethodFromCustomer', { PaymentMethodId: pm.id })).toEqual([
      { Success: 'true' },
    ]);
    expect(await getEntity(env.ctx, 'PaymentMethod', pm.id)).toMatchObject({ customer: null });
    const again = await rejection(
      seed('AttachPaymentMethodToCustomer', { PaymentMethodId: pm.id, CustomerId: customer.id }),
    );
    expect(again.code).toBe('STRIPE_INVALID_REQUEST');
  });

  it('FinalizeInvoice → invoice fields flattened (lines.data, lines.has_more, lines.total_count, number, paid)', async () => {
    const customer = await create('Customer', { name: 'Inv Co' });
    await create('InvoiceItem', { customer: customer.id, amount: 2500, currency: 'usd' });
    const invoice = await create('Invoice', {
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    });
    const [row] = await seed('FinalizeInvoice', { InvoiceId: invoice.id });
    expect(row.Success).toBe('true');
    expect(row.id).toBe(invoice.id);
    expect(row.object).toBe('invoice');
    expect(row.number).toEqual(expect.any(String));
    expect(row.paid).toBe('false');
    expect(row.livemode).toBe('false');
    expect(row['lines.has_more']).toBe('false');
    expect(row['lines.total_count']).toBe('1');
    expect(row['lines.data']).toHaveLength(1);
    expect(row.created).toMatch(/^\d+$/);
  });

  it('FinalizeQuote by QuoteId and by the seed’s SouQuoteIdrcePath → [{Success}]; AcceptQuote → [{InvoiceId, Success}]', async () => {
    const quote = await openQuote();
    expect(await seed('FinalizeQuote', { SouQuoteIdrcePath: quote.id })).toEqual([{ Success: 'true' }]);
    const accepted = await seed('AcceptQuote', { QuoteId: quote.id });
    expect(accepted).toHaveLength(1);
    expect(Object.keys(accepted[0])).toEqual(['InvoiceId', 'Success']);
    expect(accepted[0].InvoiceId).toMatch(/^in_/);
    expect(accepted[0].Success).toBe('true');
    expect(await getEntity(env.ctx, 'Invoice', accepted[0].InvoiceId)).toMatchObject({
      object: 'invoice',
      quote: quote.id,
    });

    const other = await openQuote();
    expect(await seed('FinalizeQuote', { QuoteId: other.id })).toEqual([{ Success: 'true' }]);
    expect(await seed('CancelQuote', { QuoteId: other.id })).toEqual([{ Success: 'true' }]);
    expect(await getEntity(env.ctx, 'Quote', other.id)).toMatchObject({ status: 'canceled' });
  });

  it('Microsoft: Create product / Update product (name required, caption gone, images ≤ 8)', async () => {
    const product = (await runAction(env.ctx, 'CreateProduct', {
      name: 'Gadget',
      id: `prod_ms_${Date.now()}`,
      active: true,
      description: 'A gadget',
      images: 'https://x/1.png,https://x/2.png',
      shippable: true,
      url: 'https://x/gadget',
    })) as Json;
    expect(product).toMatchObject({
      object: 'product',
      name: 'Gadget',
      active: true,
      description: 'A gadget',
      images: ['https://x/1.png', 'https://x/2.png'],
      shippable: true,
      url: 'https://x/gadget',
    });
    const updated = (await runAction(env.ctx, 'UpdateProduct', {
      id: product.id,
      name: 'Gadget 2',
      active: 'false',
    })) as Json;
    expect(updated).toMatchObject({ id: product.id, name: 'Gadget 2', active: false });

    const noName = await rejection(runAction(env.ctx, 'CreateProduct', { description: 'x' }));
    expect(noName).toMatchObject({ code: 'MISSING_FIELD', details: { field: 'name' } });
    expect((await rejection(runAction(env.ctx, 'UpdateProduct', { id: product.id }))).details.field).toBe(
      'name',
    );
    const caption = await rejection(runAction(env.ctx, 'CreateProduct', { name: 'x', caption: 'short' }));
    expect(caption.code).toBe('UNKNOWN_FIELD');
    expect(caption.details.field).toBe('caption');
    expect(caption.message).toMatch(/caption.*2023-08-16/);
    const images = Array.from({ length: 9 }, (_, i) => `https://x/${i}.png`);
    expect(await rejection(runAction(env.ctx, 'CreateProduct', { name: 'x', images }))).toMatchObject({
      code: 'INVALID_VALUE',
      details: { field: 'images' },
    });
  });

  it('Microsoft: Create / Get / Update customer; an empty email unsets it', async () => {
    const customer = (await runAction(env.ctx, 'CreateCustomer', {
      description: '',
      email: 'max@example.com',
    })) as Json;
    expect(customer).toMatchObject({ object: 'customer', email: 'max@example.com', description: null });
    expect(await runAction(env.ctx, 'GetCustomer', { id: customer.id })).toMatchObject({
      id: customer.id,
      email: 'max@example.com',
    });
    const updated = (await runAction(env.ctx, 'UpdateCustomer', {
      id: customer.id,
      description: 'VIP',
      email: '',
    })) as Json;
    expect(updated).toMatchObject({ id: customer.id, description: 'VIP', email: null });
    expect((await rejection(runAction(env.ctx, 'GetCustomer', {}))).details.field).toBe('id');
  });
});
