/**
 * Which writes move money: one table, read by the policy (policy.ts) and nowhere else. A write
 * that matches a rule needs `--allow-money` on top of `--allow-writes`.
 *
 * A rule names an entity ('*': any) and what is done to it: `create`, or an action's verb, the
 * action's name without its entity (`Capture` in CapturePaymentIntent, `IncrementAuthorization` in
 * IncrementAuthorizationPaymentIntent). A verb matches whole words from the start, so `Refund`
 * also covers `RefundPayment` (RefundPaymentTerminalReader). `when` limits a create to payloads
 * that set one of these inputs (a PaymentIntent created with `confirm: true` charges at once).
 *
 * The table errs on the side of asking: a verb that may or may not move money (Approve on an
 * Issuing authorization, Accept on a quote that starts a charged subscription) is in it.
 */
import { looseKey } from '../catalog/index.ts';

export interface MoneyRule {
  entity: string;
  writes: string[];
  when?: string[];
  why: string;
}

export const MONEY_RULES: MoneyRule[] = [
  {
    entity: '*',
    writes: ['Capture', 'Refund', 'Pay', 'Increment', 'Fund', 'Reverse'],
    why: 'captures, refunds, pays, raises, funds or reverses an amount',
  },
  {
    entity: 'PaymentIntent',
    writes: ['Confirm', 'ApplyCustomerBalance', 'VerifyMicrodeposits'],
    why: 'charges the payment method or the customer balance',
  },
  {
    entity: 'PaymentIntent',
    writes: ['create'],
    when: ['confirm'],
    why: 'a PaymentIntent created with confirm=true charges at once',
  },
  { entity: 'Charge', writes: ['create'], why: 'charges a card' },
  { entity: 'Refund', writes: ['create'], why: 'returns money to a customer' },
  { entity: 'FeeRefund', writes: ['create'], why: 'refunds an application fee' },
  { entity: 'Payout', writes: ['create'], why: 'sends money to a bank account' },
  { entity: 'Transfer', writes: ['create'], why: 'moves money between Stripe accounts' },
  { entity: 'TransferReversal', writes: ['create'], why: 'takes a transfer back' },
  { entity: 'Topup', writes: ['create'], why: 'adds money to the balance from a bank' },
  {
    entity: 'Subscription',
    writes: ['create'],
    why: 'the first invoice of a subscription is charged when it is created',
  },
  { entity: 'Quote', writes: ['Accept'], why: 'an accepted quote starts a charged subscription or invoice' },
  {
    entity: 'CreditNote',
    writes: ['create'],
    when: ['refund', 'refund_amount'],
    why: 'a credit note with a refund returns money',
  },
  { entity: 'TerminalReader', writes: ['ProcessPaymentIntent'], why: 'charges the card on the reader' },
  { entity: 'IssuingAuthorization', writes: ['Approve'], why: 'lets a card spend' },
  {
    entity: 'IssuingTransaction',
    writes: ['CreateForceCapture', 'CreateUnlinkedRefund'],
    why: 'books a card transaction',
  },
  {
    entity: 'TreasuryInboundTransfer',
    writes: ['create', 'Succeed', 'Return'],
    why: 'moves money into a financial account',
  },
  ...['TreasuryOutboundPayment', 'TreasuryOutboundTransfer'].map((entity) => ({
    entity,
    writes: ['create', 'Post', 'Return'],
    why: 'moves money out of a financial account',
  })),
];

/** A write as the policy sees it. */
export interface WriteAccess {
  kind: 'write';
  entity: string;
  /** `create`, `update`, `delete`, or the verb of an action (its name without the entity). */
  operation: string;
  /** The action's canonical name, for messages. */
  action?: string;
  payload: Record<string, unknown>;
}

const verbMatches = (rule: string, operation: string) =>
  operation === rule || (operation.startsWith(rule) && /^[A-Z]/.test(operation.slice(rule.length)));

// `confirm: "true"` is as much a yes as `true` (form-style inputs); absent, null, false or '' is a no.
const isSet = (value: unknown) => value != null && value !== false && value !== 'false' && value !== '';

function sets(payload: Record<string, unknown>, inputs: string[]): boolean {
  const wanted = new Set(inputs.map(looseKey));
  return Object.entries(payload).some(([key, value]) => wanted.has(looseKey(key)) && isSet(value));
}

/** The rule a write falls under, or undefined when it moves no money. */
export function moneyRuleFor(access: WriteAccess): MoneyRule | undefined {
  return MONEY_RULES.find(
    (rule) =>
      (rule.entity === '*' || rule.entity === access.entity) &&
      rule.writes.some((w) => verbMatches(w, access.operation)) &&
      (!rule.when || sets(access.payload, rule.when)),
  );
}
