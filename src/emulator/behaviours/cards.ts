/** Stripe's documented test cards, test PaymentMethod ids (`pm_card_visa`) and tokens (`tok_visa`). */

export interface TestCard {
  brand: string;
  last4: string;
  country?: string;
  funding?: string;
  /** Charges decline with this decline code. */
  decline?: string;
  /** Charges and setups need 3D Secure authentication. */
  auth?: 'always' | 'setup';
  /** A successful charge is then disputed: a chargeback for this reason, or an inquiry. */
  dispute?: 'fraudulent' | 'product_not_received' | 'inquiry';
  /** A successful charge then receives an early fraud warning from the issuer. */
  earlyFraudWarning?: boolean;
}

export const TEST_CARDS: Record<string, TestCard> = {
  visa: { brand: 'visa', last4: '4242' },
  visa_debit: { brand: 'visa', last4: '5556', funding: 'debit' },
  mastercard: { brand: 'mastercard', last4: '4444' },
  mastercard_debit: { brand: 'mastercard', last4: '8210', funding: 'debit' },
  amex: { brand: 'amex', last4: '8431' },
  discover: { brand: 'discover', last4: '1117' },
  jcb: { brand: 'jcb', last4: '0000', country: 'JP' },
  unionpay: { brand: 'unionpay', last4: '0005', country: 'CN' },
  chargeDeclined: { brand: 'visa', last4: '0002', decline: 'generic_decline' },
  chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', decline: 'insufficient_funds' },
  chargeDeclinedLostCard: { brand: 'visa', last4: '9987', decline: 'lost_card' },
  chargeDeclinedStolenCard: { brand: 'visa', last4: '9979', decline: 'stolen_card' },
  chargeDeclinedExpiredCard: { brand: 'visa', last4: '0069', decline: 'expired_card' },
  chargeDeclinedIncorrectCvc: { brand: 'visa', last4: '0127', decline: 'incorrect_cvc' },
  chargeDeclinedProcessingError: { brand: 'visa', last4: '0119', decline: 'processing_error' },
  authenticationRequired: { brand: 'visa', last4: '3184', auth: 'always' },
  threeDSecure2Required: { brand: 'visa', last4: '3220', auth: 'always' },
  authenticationRequiredOnSetup: { brand: 'visa', last4: '3155', auth: 'setup' },
  // Disputes (4000000000000259, …2685, …1976) and an early fraud warning (…5423).
  createDispute: { brand: 'visa', last4: '0259', dispute: 'fraudulent' },
  createDisputeProductNotReceived: { brand: 'visa', last4: '2685', dispute: 'product_not_received' },
  createDisputeInquiry: { brand: 'visa', last4: '1976', dispute: 'inquiry' },
  createIssuerFraudRecord: { brand: 'visa', last4: '5423', earlyFraudWarning: true },
};

const BY_LAST4 = new Map(Object.values(TEST_CARDS).map((c) => [c.last4, c]));

export function cardByName(name: string): TestCard | undefined {
  return TEST_CARDS[name] ?? TEST_CARDS[name.replace(/^card_/, '')];
}

export function cardByNumber(number: string): TestCard {
  const digits = number.replace(/\D/g, '');
  const known = BY_LAST4.get(digits.slice(-4));
  if (known) return known;
  const brand = digits.startsWith('4')
    ? 'visa'
    : digits.startsWith('5')
      ? 'mastercard'
      : digits.startsWith('3')
        ? 'amex'
        : 'unknown';
  return { brand, last4: digits.slice(-4) || '0000' };
}

export function cardByLast4(last4: string | undefined): TestCard | undefined {
  return last4 ? BY_LAST4.get(last4) : undefined;
}

/** The message Stripe shows for a decline code. */
export function declineMessage(code: string): { code: string; message: string } {
  switch (code) {
    case 'insufficient_funds':
      return { code: 'card_declined', message: 'Your card has insufficient funds.' };
    case 'expired_card':
      return { code: 'expired_card', message: 'Your card has expired.' };
    case 'incorrect_cvc':
      return { code: 'incorrect_cvc', message: "Your card's security code is incorrect." };
    case 'processing_error':
      return {
        code: 'processing_error',
        message: 'An error occurred while processing your card. Try again in a little bit.',
      };
    case 'authentication_required':
      return {
        code: 'authentication_required',
        message: 'Your card was declined. This transaction requires authentication.',
      };
    default:
      return { code: 'card_declined', message: 'Your card was declined.' };
  }
}
