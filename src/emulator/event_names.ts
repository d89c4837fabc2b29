/** Stripe's event type names, which do not always follow the resource id. */
const PREFIX: Record<string, string> = {
  subscription: 'customer.subscription',
  tax_id: 'customer.tax_id',
  discount: 'customer.discount',
  card: 'customer.source',
  bank_account: 'customer.source',
  customer_cash_balance_transaction: 'customer_cash_balance_transaction',
  fee_refund: 'application_fee.refund',
  transfer_reversal: 'transfer.reversal',
  person: 'person',
  dispute: 'charge.dispute',
};

export function eventPrefix(resourceId: string): string {
  return PREFIX[resourceId] ?? resourceId;
}
