import { describe, expect, it } from 'vitest';
import { CatalogLookupError, entityNameOf, actionNameOf, loadCatalog } from '../../src/catalog/index.ts';
import { GOOGLE_SEED_ACTIONS } from '../support/seeds.ts';

const catalog = loadCatalog();

describe('catalog look-ups', () => {
  it('names entities in PascalCase singular', () => {
    expect(entityNameOf('payment_intent')).toBe('PaymentIntent');
    expect(entityNameOf('checkout.session')).toBe('CheckoutSession');
    expect(catalog.entity('checkout.session').entity).toBe('CheckoutSession');
  });

  it('finds entities case-insensitively and suggests the closest name otherwise', () => {
    expect(catalog.entity('paymentintent').id).toBe('payment_intent');
    expect(catalog.entity('PAYMENT_INTENT').entity).toBe('PaymentIntent');
    expect(() => catalog.entity('Custmer')).toThrow(CatalogLookupError);
    expect(() => catalog.entity('Custmer')).toThrow(/did you mean Customer/);
  });

  it('describes PaymentIntent fields with types and enums', () => {
    const pi = catalog.entity('PaymentIntent');
    expect(pi.idPrefix).toBe('pi');
    expect(catalog.field(pi, 'amount')?.type).toBe('integer');
    expect(catalog.field(pi, 'currency')?.type).toBe('string');
    expect(catalog.field(pi, 'created')?.type).toBe('timestamp');
    expect(catalog.field(pi, 'status')?.values).toContain('requires_capture');
    expect(catalog.field(pi, 'payment_method')?.expandable).toEqual(['payment_method']);
    expect(catalog.field(pi, 'payment_method_options.card.installments')).toBeDefined();
    expect(catalog.field(catalog.entity('Invoice'), 'lines.data')?.type).toBe('array');
    expect(catalog.field(catalog.entity('Customer'), 'metadata.plan')?.type).toBe('string');
  });

  it('classifies operations by kind, with parents for nested resources', () => {
    const customer = catalog.entity('Customer');
    expect(customer.operations.map((o) => o.kind).sort()).toEqual(
      ['create', 'delete', 'list', 'retrieve', 'search', 'update'].sort(),
    );
    const list = catalog.operation(catalog.entity('TaxId'), 'list')!;
    expect(list.path).toBe('/v1/customers/{customer}/tax_ids');
    expect(list.pathParams).toEqual([{ name: 'customer', resource: 'customer' }]);
    const retrieve = catalog.operation(customer, 'retrieve')!;
    expect(retrieve.pathParams).toEqual([{ name: 'customer', self: true }]);
    expect(catalog.operation(customer, 'list')!.params.map((p) => p.name)).toContain('email');
  });

  it("answers which parameters an entity's list takes, and what a complete listing needs", () => {
    expect(catalog.listParam(catalog.entity('Customer'), 'created')).toMatchObject({ name: 'created' });
    for (const name of ['CreditNote', 'RadarEarlyFraudWarning', 'CheckoutSession'])
      expect(catalog.listParam(catalog.entity(name), 'created')).toBeUndefined();
    expect(catalog.listDefaults(catalog.entity('Subscription'))).toEqual({ status: 'all' });
    expect(catalog.listDefaults(catalog.entity('Customer'))).toEqual({});
  });

  it('marks the seven searchable entities', () => {
    const searchable = catalog
      .entities()
      .filter((e) => e.searchable)
      .map((e) => e.entity)
      .sort();
    expect(searchable).toEqual([
      'Charge',
      'Customer',
      'Invoice',
      'PaymentIntent',
      'Price',
      'Product',
      'Subscription',
    ]);
  });

  it('names actions Verb + Entity, uniquely, with the seeds aliases', () => {
    expect(actionNameOf('confirm', 'PaymentIntent')).toBe('ConfirmPaymentIntent');
    expect(actionNameOf('finalize_quote', 'Quote')).toBe('FinalizeQuote');
    const names = catalog.actions().flatMap((a) => [a.name, ...a.aliases]);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
    for (const seed of GOOGLE_SEED_ACTIONS) {
      expect(names).toContain(seed);
    }
    const confirm = catalog.action('ConfirmPaymentIntent');
    expect(confirm.operation.path).toBe('/v1/payment_intents/{intent}/confirm');
    expect(catalog.action('attachpaymentmethodtocustomer').name).toBe('AttachPaymentMethod');
    expect(() => catalog.action('CaptureQuote')).toThrow(/did you mean/);
  });
});
