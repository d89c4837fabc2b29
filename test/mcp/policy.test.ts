/** The policy: what is refused, what is allowed, and how a money rule meets a call's payload. */
import { describe, expect, it } from 'vitest';
import { resolveAction } from '../../src/actions/index.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { authorize, checkMode, createPolicy, moneyRuleFor, type Access } from '../../src/mcp/index.ts';
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

describe('money, as the policy asks it (the catalog decides; test/catalog/money.test.ts)', () => {
  it.each(['CapturePaymentIntent', 'FinalizeInvoice', 'CloseChargesDispute', 'AcceptQuote'])(
    '%s moves money',
    (name) => {
      expect(moneyRuleFor(catalog, action(name) as any)).toBeDefined();
    },
  );

  it.each(['CancelPaymentIntent', 'ConfirmSetupIntent', 'CreateCustomer', 'DetachPaymentMethod'])(
    '%s does not',
    (name) => {
      const access = action(name);
      expect(access.kind).toBe('write');
      expect(moneyRuleFor(catalog, access as any)).toBeUndefined();
    },
  );

  it('GET actions and the named Get are reads', () => {
    for (const name of ['PdfQuote', 'UpcomingInvoice', 'PreviewCreditNote', 'GetCustomer'])
      expect(action(name)).toEqual({ kind: 'read' });
  });

  it('a rule that holds only for some inputs is checked against the payload, keys matched loosely', () => {
    const money = (access: Access) => moneyRuleFor(catalog, access as any) !== undefined;
    for (const entity of ['Charge', 'Refund', 'Payout', 'Transfer', 'Topup', 'Subscription', 'CreditNote'])
      expect(money(create(entity)), entity).toBe(true);
    expect(money(create('PaymentIntent', { amount: 1 }))).toBe(false);
    expect(money(create('PaymentIntent', { Confirm: true }))).toBe(true);
    expect(money(create('PaymentIntent', { confirm: 'true' }))).toBe(true);
    expect(money(create('PaymentIntent', { confirm: false }))).toBe(false);
    expect(money(create('Invoice', { customer: 'cus_1' }))).toBe(false);
    expect(money(create('Invoice', { AutoAdvance: true }))).toBe(true);
    expect(money(create('Customer'))).toBe(false);
    expect(money(create('Customer', { balance: -500 }))).toBe(true);
    expect(money({ kind: 'write', entity: 'Charge', operation: 'update', payload: {} })).toBe(false);
  });

  it('an action given by its verb alone is looked up by Verb + Entity', () => {
    const access = { kind: 'write', entity: 'Invoice', operation: 'Finalize', payload: {} } as const;
    expect(moneyRuleFor(catalog, access)).toBeDefined();
  });
});

describe('authorize', () => {
  const capture = action('CapturePaymentIntent');
  const cancel = action('CancelPaymentIntent');

  it('reads always pass; writes need allowWrites; money needs allowMoney as well', () => {
    expect(() => authorize(createPolicy(), { kind: 'read' }, catalog)).not.toThrow();
    refused(() => authorize(createPolicy(), cancel, catalog), 'POLICY_REFUSED', /--allow-writes/);
    refused(
      () => authorize(createPolicy({ allowMoney: true }), capture, catalog),
      'POLICY_REFUSED',
      /--allow-writes/,
    );
    expect(() => authorize(createPolicy({ allowWrites: true }), cancel, catalog)).not.toThrow();
    refused(
      () => authorize(createPolicy({ allowWrites: true }), capture, catalog),
      'POLICY_REFUSED',
      /--allow-money/,
    );
    expect(() =>
      authorize(createPolicy({ allowWrites: true, allowMoney: true }), capture, catalog),
    ).not.toThrow();
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
