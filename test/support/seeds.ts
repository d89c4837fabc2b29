/** The nine actions of the Google seed (MISSION.md §2), by the names users copy from it. */
export const GOOGLE_SEED_ACTIONS = [
  'ConfirmPaymentIntent',
  'CapturePaymentIntent',
  'CancelPaymentIntent',
  'AttachPaymentMethodToCustomer',
  'DetachPaymentMethodFromCustomer',
  'FinalizeInvoice',
  'FinalizeQuote',
  'AcceptQuote',
  'CancelQuote',
];
