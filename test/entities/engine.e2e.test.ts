import { describe, expect, it } from 'vitest';
import { createEntity, deleteEntity, getEntity, updateEntity } from '../../src/entities/index.ts';
import { rejection, useEmulator } from '../support/emulator.ts';

const env = useEmulator();
type Json = Record<string, any>;

describe('entity engine against the emulator', () => {
  it('runs the seed examples verbatim: Create PaymentIntent, Update Customer, Get and Delete by EntityId', async () => {
    const created = await createEntity(
      env.ctx,
      'PaymentIntent',
      { PaymentMethod: 'pm_card_visa', Currency: 'usd', Amount: 1500.0 },
      { shape: 'seed' },
    );
    expect(Object.keys(created as Json)).toEqual(['Id']);
    expect((created as Json).Id).toMatch(/^pi_/);
    const sent = env.emulator.requests.find((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
    expect(sent?.body).toMatchObject({ payment_method: 'pm_card_visa', currency: 'usd', amount: '1500' });

    const customer = (await createEntity(env.ctx, 'Customer', { Email: 'jane@example.com' })) as Json;
    expect(await updateEntity(env.ctx, 'Customer', customer.id, { Name: 'John' }, { shape: 'seed' })).toEqual(
      { Id: customer.id },
    );
    const fetched = (await getEntity(env.ctx, 'Customer', customer.id)) as Json;
    expect(fetched).toMatchObject({ id: customer.id, name: 'John', email: 'jane@example.com' });
    expect(await deleteEntity(env.ctx, 'Customer', customer.id, { shape: 'seed' })).toEqual({
      Id: customer.id,
      Success: 'true',
    });
    // Stripe (and the emulator) still answer a retrieve of a deleted customer, marked deleted.
    expect(await getEntity(env.ctx, 'Customer', customer.id)).toMatchObject({
      id: customer.id,
      deleted: true,
    });
  });

  it('creates, reads, updates and deletes Product, Price, Coupon and InvoiceItem', async () => {
    const product = (await createEntity(env.ctx, 'Product', {
      Name: 'Widget',
      'metadata.sku': 'W-1',
    })) as Json;
    expect(product.metadata).toEqual({ sku: 'W-1' });
    const price = (await createEntity(env.ctx, 'Price', {
      Product: product.id,
      UnitAmount: '990',
      Currency: 'eur',
      'recurring.interval': 'month',
    })) as Json;
    expect(price).toMatchObject({ product: product.id, unit_amount: 990, recurring: { interval: 'month' } });
    expect(await updateEntity(env.ctx, 'Price', price.id, { Active: 'false' })).toMatchObject({
      active: false,
    });
    const flat = (await getEntity(env.ctx, 'Price', price.id, { shape: 'flat' })) as Json;
    expect(flat['recurring.interval']).toBe('month');

    const coupon = (await createEntity(env.ctx, 'Coupon', { PercentOff: 25, Duration: 'once' })) as Json;
    expect(await updateEntity(env.ctx, 'Coupon', coupon.id, { Name: 'Quarter' })).toMatchObject({
      name: 'Quarter',
    });
    expect(await deleteEntity(env.ctx, 'Coupon', coupon.id)).toMatchObject({ id: coupon.id, deleted: true });

    const customer = (await createEntity(env.ctx, 'Customer', { name: 'Ivy' })) as Json;
    const item = (await createEntity(env.ctx, 'InvoiceItem', {
      customer: customer.id,
      amount: 500,
      currency: 'usd',
    })) as Json;
    expect(await updateEntity(env.ctx, 'InvoiceItem', item.id, { description: 'setup fee' })).toMatchObject({
      description: 'setup fee',
    });
    expect(await deleteEntity(env.ctx, 'InvoiceItem', item.id)).toMatchObject({ deleted: true });
    // A product with prices cannot be deleted (Stripe's rule): the error comes through, mapped.
    expect((await rejection(deleteEntity(env.ctx, 'Product', product.id))).code).toBe(
      'STRIPE_INVALID_REQUEST',
    );
    const bare = (await createEntity(env.ctx, 'Product', { name: 'Bare' })) as Json;
    expect(await deleteEntity(env.ctx, 'Product', bare.id, { shape: 'seed' })).toEqual({
      Id: bare.id,
      Success: 'true',
    });
  });

  it('takes the parent id of nested entities (TaxId needs CustomerId / customer)', async () => {
    const customer = (await createEntity(env.ctx, 'Customer', { name: 'Tax Co' })) as Json;
    const taxId = (await createEntity(env.ctx, 'TaxId', {
      CustomerId: customer.id,
      Type: 'eu_vat',
      Value: 'DE123456789',
    })) as Json;
    expect(taxId.id).toMatch(/^txi_/);
    expect(await getEntity(env.ctx, 'TaxId', taxId.id, { parents: { customer: customer.id } })).toMatchObject(
      { value: 'DE123456789' },
    );
    const missing = await rejection(getEntity(env.ctx, 'TaxId', taxId.id));
    expect(missing.code).toBe('MISSING_FIELD');
    expect(missing.details.field).toBe('CustomerId');
    const unsupported = await rejection(
      updateEntity(env.ctx, 'TaxId', taxId.id, {}, { parents: { customer: customer.id } }),
    );
    expect(unsupported.code).toBe('OPERATION_NOT_SUPPORTED');
    expect(unsupported.details.operations).toEqual(['list', 'retrieve', 'create', 'delete']);
    expect(
      await deleteEntity(env.ctx, 'TaxId', taxId.id, { parents: { CustomerId: customer.id } }),
    ).toMatchObject({ deleted: true });
  });

  it('names the entity and its operations when one is missing, and the field for bad input, before any call', async () => {
    env.emulator.clearRequests();
    const e = await rejection(deleteEntity(env.ctx, 'PaymentIntent', 'pi_1'));
    expect(e.code).toBe('OPERATION_NOT_SUPPORTED');
    expect(e.message).toContain('PaymentIntent');
    expect(e.details.operations).toContain('update');
    expect(
      (await rejection(createEntity(env.ctx, 'PaymentIntent', { Amount: 1500.5, Currency: 'usd' }))).details
        .field,
    ).toBe('amount');
    expect((await rejection(getEntity(env.ctx, 'Customer', ''))).code).toBe('MISSING_FIELD');
    expect(env.emulator.requests).toHaveLength(0);
  });

  it('sends an idempotency key with every write and passes the caller’s own', async () => {
    env.emulator.clearRequests();
    const c = (await createEntity(
      env.ctx,
      'Customer',
      { name: 'K' },
      { idempotencyKey: 'my-key-1' },
    )) as Json;
    await updateEntity(env.ctx, 'Customer', c.id, { name: 'K2' });
    await deleteEntity(env.ctx, 'Customer', c.id);
    const writes = env.emulator.requests.filter((r) => r.method !== 'GET');
    expect(writes[0].idempotencyKey).toBe('my-key-1');
    for (const w of writes.filter((r) => r.method === 'POST')) expect(w.idempotencyKey).toBeTruthy();
  });

  it('fetches an invoice’s lines completely when asked, not cut at 10', async () => {
    const customer = (await createEntity(env.ctx, 'Customer', { name: 'Many Lines' })) as Json;
    for (let i = 0; i < 13; i++) {
      await createEntity(env.ctx, 'InvoiceItem', { customer: customer.id, amount: 100 + i, currency: 'usd' });
    }
    const invoice = (await createEntity(env.ctx, 'Invoice', {
      customer: customer.id,
      pending_invoice_items_behavior: 'include',
    })) as Json;
    // Like Stripe, the emulator embeds the first 10 lines; the engine pages the rest.
    const cut = (await getEntity(env.ctx, 'Invoice', invoice.id)) as Json;
    expect(cut.lines.data).toHaveLength(10);
    expect(cut.lines.has_more).toBe(true);
    const full = (await getEntity(env.ctx, 'Invoice', invoice.id, { expandLists: true })) as Json;
    expect(full.lines.data).toHaveLength(13);
    expect(full.lines.has_more).toBe(false);
    expect(full.lines.total_count).toBe(13);
    const flat = (await getEntity(env.ctx, 'Invoice', invoice.id, {
      expandLists: true,
      shape: 'flat',
    })) as Json;
    expect(flat['lines.data']).toHaveLength(13);
    expect(flat['lines.has_more']).toBe(false);
  });
});
