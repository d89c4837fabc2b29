/**
 * The catalog's money rules (src/catalog/money.ts): every action of the catalog walked, a written
 * expectation for a sample of writes, no action with a money verb that passes as "not money", and
 * the overrides' money tables naming only what the catalog has.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog, WRITE_KINDS } from '../../src/catalog/index.ts';

const catalog = loadCatalog();
const isMoney = (entity: string, write: string) => catalog.moneyRule(entity, write) !== undefined;

/** Written by hand, not derived: what each of these writes does to funds. */
const MONEY: Array<[entity: string, write: string]> = [
  // Moves funds.
  ['PaymentIntent', 'CapturePaymentIntent'],
  ['PaymentIntent', 'ConfirmPaymentIntent'],
  ['PaymentIntent', 'IncrementAuthorizationPaymentIntent'],
  ['PaymentIntent', 'ApplyCustomerBalancePaymentIntent'],
  ['PaymentIntent', 'VerifyMicrodepositsPaymentIntent'],
  ['Charge', 'CaptureCharge'],
  ['Charge', 'RefundCharge'],
  ['ApplicationFee', 'RefundApplicationFee'],
  ['Invoice', 'PayInvoice'],
  ['Payout', 'ReversePayout'],
  ['TerminalReader', 'ProcessPaymentIntentTerminalReader'],
  ['TerminalReader', 'RefundPaymentTerminalReader'],
  ['IssuingTransaction', 'CreateForceCaptureIssuingTransaction'],
  ['TreasuryOutboundPayment', 'PostTreasuryOutboundPayment'],
  ['TreasuryInboundTransfer', 'SucceedTreasuryInboundTransfer'],
  ['TreasuryOutboundTransfer', 'ReturnTreasuryOutboundTransfer'],
  ['CustomerCashBalanceTransaction', 'FundCashBalanceCustomerCashBalanceTransaction'],
  ['Charge', 'create'],
  ['Refund', 'create'],
  ['Payout', 'create'],
  ['Transfer', 'create'],
  ['Topup', 'create'],
  ['TreasuryOutboundTransfer', 'create'],
  // Concedes funds: the dispute is lost, the amount due is given up.
  ['Dispute', 'CloseChargesDispute'],
  ['Dispute', 'CloseDispute'],
  ['Invoice', 'VoidInvoice'],
  ['Invoice', 'MarkUncollectibleInvoice'],
  ['CreditNote', 'create'],
  ['CreditNote', 'VoidCreditNote'],
  // Commits funds: the charge follows without another call.
  ['Invoice', 'FinalizeInvoice'],
  ['Subscription', 'ResumeSubscription'],
  ['Review', 'ApproveReview'],
  ['IssuingAuthorization', 'ApproveIssuingAuthorization'],
  ['Quote', 'AcceptQuote'],
  ['SubscriptionSchedule', 'CancelSubscriptionSchedule'],
  ['TestHelpersTestClock', 'AdvanceTestHelpersTestClock'],
  ['Subscription', 'create'],
  ['SubscriptionSchedule', 'create'],
  ['SubscriptionItem', 'create'],
  ['Invoiceitem', 'create'],
  ['UsageRecord', 'create'],
  ['CustomerBalanceTransaction', 'create'],
];

const NOT_MONEY: Array<[entity: string, write: string]> = [
  ['PaymentIntent', 'CancelPaymentIntent'],
  ['Payout', 'CancelPayout'],
  ['Refund', 'CancelRefund'],
  ['TreasuryOutboundPayment', 'CancelTreasuryOutboundPayment'],
  ['IssuingAuthorization', 'DeclineIssuingAuthorization'],
  ['CheckoutSession', 'ExpireCheckoutSession'],
  ['Invoice', 'SendInvoice'],
  ['Quote', 'FinalizeQuote'],
  ['Quote', 'CancelQuote'],
  ['SetupIntent', 'ConfirmSetupIntent'],
  ['SetupIntent', 'VerifyMicrodepositsSetupIntent'],
  ['TerminalReader', 'ProcessSetupIntentTerminalReader'],
  ['TerminalReader', 'SetReaderDisplayTerminalReader'],
  ['PaymentMethod', 'AttachPaymentMethod'],
  ['PaymentMethod', 'DetachPaymentMethod'],
  ['SubscriptionSchedule', 'ReleaseSubscriptionSchedule'],
  ['TaxTransaction', 'CreateReversalTaxTransaction'],
  ['Account', 'RejectAccount'],
  ['IssuingCard', 'ShippingReturnIssuingCard'],
  ['IdentityVerificationSession', 'CancelIdentityVerificationSession'],
  ['Customer', 'delete'],
  ['Product', 'create'],
  ['Price', 'create'],
  ['Coupon', 'create'],
  ['Quote', 'create'],
  ['CheckoutSession', 'create'],
  ['PaymentLink', 'create'],
  ['Charge', 'update'],
  ['Payout', 'update'],
  ['Subscription', 'delete'],
];

/**
 * Verbs that name moving, conceding or committing funds. Only the verb (the name without its
 * entity) counts: in CancelTreasuryOutboundTransfer, Transfer is the entity and Cancel the verb.
 * Verbs that may or may not (Confirm, Finalize, Process, Return: a PaymentIntent's or a
 * SetupIntent's, an invoice's or a quote's, a transfer's or a card shipment's) are in the sample.
 */
const MONEY_VERBS = new Set([
  'Capture',
  'Refund',
  'Pay',
  'Payment',
  'Charge',
  'Charges',
  'Increment',
  'Fund',
  'Reverse',
  'Payout',
  'Transfer',
  'Topup',
  'Approve',
  'Accept',
  'Resume',
  'Close',
  'Post',
  'Succeed',
]);

describe("the catalog's money rules", () => {
  it.each(MONEY)('%s %s moves, concedes or commits funds', (entity, write) => {
    expect(catalog.moneyRule(entity, write)?.why).toBeTruthy();
  });

  it.each(NOT_MONEY)('%s %s does not', (entity, write) => {
    expect(catalog.moneyRule(entity, write)).toBeUndefined();
  });

  it('walks every action: each is answered, and none whose verb names money passes as not money', () => {
    const slipped: string[] = [];
    let money = 0;
    for (const action of catalog.actions()) {
      const rule = catalog.moneyRule(action.entity.entity, action.name);
      if (rule) money++;
      const verb = action.name.slice(0, -action.entity.entity.length);
      const words = verb.match(/[A-Z][a-z0-9]*/g) ?? [];
      if (words.some((w) => MONEY_VERBS.has(w)) && !rule) slipped.push(action.name);
    }
    expect(slipped).toEqual([]);
    // The sample above is in the walk: a catalog where everything or nothing is money fails here.
    expect(money).toBeGreaterThan(30);
    expect(money).toBeLessThan(catalog.actions().length - 20);
  });

  it('some rules hold only for some inputs, matched loosely by the policy', () => {
    expect(catalog.moneyRule('PaymentIntent', 'create')?.when).toEqual(['confirm']);
    expect(catalog.moneyRule('Invoice', 'create')?.when).toEqual(['auto_advance']);
    expect(catalog.moneyRule('Customer', 'update')?.when).toEqual(['balance']);
    expect(catalog.moneyRule('Subscription', 'update')?.when).toContain('proration_behavior');
  });

  it('an entity or action the catalog does not know is asked for', () => {
    expect(isMoney('NoSuchThing', 'create')).toBe(true);
    expect(isMoney('PaymentIntent', 'TeleportPaymentIntent')).toBe(true);
  });

  it("the overrides' money tables name only entities and writes the catalog has", () => {
    const { MONEY_WRITES, NOT_MONEY_WRITES } = catalog.overrides;
    for (const rule of [...MONEY_WRITES, ...NOT_MONEY_WRITES]) {
      const entity = catalog.findEntity(rule.entity);
      expect(entity?.entity, rule.entity).toBe(rule.entity);
      for (const write of rule.writes) {
        const known = WRITE_KINDS.includes(write)
          ? catalog.operation(entity!, write as 'create')
          : catalog.findAction(write)?.entity === entity;
        expect(known, `${rule.entity} ${write}`).toBeTruthy();
      }
    }
  });

  it('no write is listed both as money and as not money', () => {
    const { MONEY_WRITES, NOT_MONEY_WRITES } = catalog.overrides;
    const keys = (table: typeof MONEY_WRITES) =>
      table.flatMap((r) => r.writes.map((w) => `${r.entity} ${w}`));
    const money = new Set(keys(MONEY_WRITES));
    expect(keys(NOT_MONEY_WRITES).filter((k) => money.has(k))).toEqual([]);
  });
});
