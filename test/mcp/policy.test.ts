/** The policy and the money table: what is refused, what is allowed, and that the table matches the catalog. */
import { describe, expect, it } from 'vitest';
import { resolveAction } from '../../src/actions/index.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import {
  authorize,
  checkMode,
  createPolicy,
  MONEY_RULES,
  moneyRuleFor,
  type Access,
} from '../../src/mcp/index.ts';
import { actionAccess } from '../../src/mcp/tools/catalog.ts';
import { expectConnectorError } from '../support/errors.ts';

const refused = (fn: () => unknown, code: 'POLICY_REFUSED' | 'INVALID_ARGUMENT', message: RegExp) =>
  expect(expectConnectorError(fn, code).message).toMatch(message);

const catalog = loadCatalog();
const action = (name: string, payload = {}) => actionAccess(resolveAction({ catalog }, name), payload);
const create = (entity: string, payload: Record<string, unknown> = {}): Access => ({
  kind: 'write',
  entity,
  operation: 'create',
  payload,
});

describe('the money table', () => {
  it('names only entities and verbs the catalog has', () => {
    for (const rule of MONEY_RULES) {
      for (const verb of rule.writes) {
        const matched =
          verb === 'create'
            ? catalog
                .entities()
                .some(
                  (e) => (rule.entity === '*' || e.entity === rule.entity) && catalog.operation(e, 'create'),
                )
            : catalog
                .actions()
                .some(
                  (a) => (rule.entity === '*' || a.entity.entity === rule.entity) && a.name.startsWith(verb),
                );
        expect(matched, `${rule.entity} ${verb}`).toBe(true);
      }
    }
  });

  it.each([
    'CapturePaymentIntent',
    'ConfirmPaymentIntent',
    'CaptureCharge',
    'RefundCharge',
    'RefundApplicationFee',
    'PayInvoice',
    'ReversePayout',
    'IncrementAuthorizationPaymentIntent',
    'ProcessPaymentIntentTerminalReader',
    'RefundPaymentTerminalReader',
    'AcceptQuote',
    'PostTreasuryOutboundPayment',
  ])('%s moves money', (name) => {
    expect(moneyRuleFor(action(name) as any)).toBeDefined();
  });

  it.each([
    'CancelPaymentIntent',
    'FinalizeInvoice',
    'VoidInvoice',
    'ConfirmSetupIntent',
    'ProcessSetupIntentTerminalReader',
    'CreateCustomer',
    'DetachPaymentMethod',
  ])('%s does not', (name) => {
    const access = action(name);
    expect(access.kind).toBe('write');
    expect(moneyRuleFor(access as any)).toBeUndefined();
  });

  it('GET actions and the named Get are reads', () => {
    for (const name of ['PdfQuote', 'UpcomingInvoice', 'PreviewCreditNote', 'GetCustomer'])
      expect(action(name)).toEqual({ kind: 'read' });
  });

  it('creates: Charge, Refund, Payout, Transfer always; a PaymentIntent only when confirmed; a credit note only with a refund', () => {
    for (const entity of ['Charge', 'Refund', 'Payout', 'Transfer', 'Topup', 'Subscription'])
      expect(moneyRuleFor(create(entity) as any), entity).toBeDefined();
    expect(moneyRuleFor(create('PaymentIntent', { amount: 1 }) as any)).toBeUndefined();
    expect(moneyRuleFor(create('PaymentIntent', { Confirm: true }) as any)).toBeDefined();
    expect(moneyRuleFor(create('PaymentIntent', { confirm: 'true' }) as any)).toBeDefined();
    expect(moneyRuleFor(create('PaymentIntent', { confirm: false }) as any)).toBeUndefined();
    expect(moneyRuleFor(create('CreditNote', { invoice: 'in_1' }) as any)).toBeUndefined();
    expect(moneyRuleFor(create('CreditNote', { refund_amount: 100 }) as any)).toBeDefined();
    expect(moneyRuleFor(create('Customer') as any)).toBeUndefined();
    expect(
      moneyRuleFor({ kind: 'write', entity: 'Charge', operation: 'update', payload: {} }),
    ).toBeUndefined();
  });
});

describe('authorize', () => {
  const capture = action('CapturePaymentIntent');
  const cancel = action('CancelPaymentIntent');

  it('reads always pass; writes need allowWrites; money needs allowMoney as well', () => {
    expect(() => authorize(createPolicy(), { kind: 'read' })).not.toThrow();
    refused(() => authorize(createPolicy(), cancel), 'POLICY_REFUSED', /--allow-writes/);
    refused(() => authorize(createPolicy({ allowMoney: true }), capture), 'POLICY_REFUSED', /--allow-writes/);
    expect(() => authorize(createPolicy({ allowWrites: true }), cancel)).not.toThrow();
    refused(() => authorize(createPolicy({ allowWrites: true }), capture), 'POLICY_REFUSED', /--allow-money/);
    expect(() => authorize(createPolicy({ allowWrites: true, allowMoney: true }), capture)).not.toThrow();
  });

  it('live keys need allowLive', () => {
    refused(() => checkMode(createPolicy(), 'live'), 'POLICY_REFUSED', /--allow-live/);
    expect(() => checkMode(createPolicy(), 'test')).not.toThrow();
    expect(() => checkMode(createPolicy({ allowLive: true }), 'live')).not.toThrow();
  });

  it('--max-rows is an integer from 1 to 10,000', () => {
    expect(createPolicy().maxRows).toBe(100);
    expect(createPolicy({ maxRows: '500' })).toMatchObject({ maxRows: 500, defaultRows: 100 });
    expect(createPolicy({ maxRows: 20 })).toMatchObject({ maxRows: 20, defaultRows: 20 });
    for (const bad of ['0', 'abc', '', '1.5', 10_001])
      refused(() => createPolicy({ maxRows: bad }), 'INVALID_ARGUMENT', /--max-rows/);
  });
});
