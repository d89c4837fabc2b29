/**
 * Verifying a webhook call from Stripe: the `Stripe-Signature` header over the raw body, checked by
 * the official SDK with Stripe's 300 s tolerance, then the event's shape (inbox-event.ts). Whatever
 * fails is a 400-style ConnectorError naming why (unsigned, malformed, stale, tampered, signed with
 * another secret, or an event lacking what delivery needs), never the secret.
 */
import Stripe from 'stripe';
import { ConnectorError } from '../../errors.ts';
import type { Obj } from './forward.ts';
import { eventFault } from './inbox-event.ts';

export const SIGNATURE_TOLERANCE_S = 300;

export type SignatureFault = 'unsigned' | 'malformed' | 'stale' | 'mismatch' | 'not-an-event' | 'replay';

export class WebhookSignatureError extends ConnectorError {
  readonly reason: SignatureFault;
  constructor(reason: SignatureFault, message: string) {
    super('INVALID_ARGUMENT', `webhook refused: ${message}`, { reason, header: 'Stripe-Signature' });
    this.name = 'WebhookSignatureError';
    this.reason = reason;
  }
}

/**
 * The verified event, or a WebhookSignatureError. `secrets`: the endpoint secrets (`whsec_…`) any
 * of which may have signed it (a platform and a Connect endpoint, or one being rolled).
 */
export function verifyWebhook(
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  secrets: readonly string[],
  tolerance = SIGNATURE_TOLERANCE_S,
): Obj {
  const header = headers['stripe-signature'];
  if (!header || Array.isArray(header))
    throw new WebhookSignatureError('unsigned', 'no Stripe-Signature header');
  let fault: WebhookSignatureError | undefined;
  for (const secret of secrets) {
    try {
      const event = Stripe.webhooks.constructEvent(rawBody, header, secret, tolerance) as unknown as Obj;
      // Signed but not deliverable: refused (Stripe retries, and flags the endpoint), never stored.
      const fault = eventFault(event);
      if (fault) throw new WebhookSignatureError('not-an-event', `the event cannot be delivered: ${fault}`);
      return event;
    } catch (error) {
      if (error instanceof WebhookSignatureError) throw error;
      fault = classify(error as Error);
      // A stale or malformed header fails the same way for every secret.
      if (fault.reason !== 'mismatch') throw fault;
    }
  }
  throw fault ?? new WebhookSignatureError('mismatch', 'no endpoint secret is configured');
}

function classify(error: Error): WebhookSignatureError {
  const text = error.message ?? '';
  if (/tolerance zone/.test(text))
    return new WebhookSignatureError('stale', 'the signature timestamp is older than 300 s');
  if (/Unable to extract|expected scheme|No stripe-signature header/.test(text))
    return new WebhookSignatureError('malformed', 'the Stripe-Signature header is malformed');
  if (/No signatures found matching/.test(text))
    return new WebhookSignatureError(
      'mismatch',
      'the signature does not match the body (tampered, or another secret)',
    );
  if (/payload/.test(text)) return new WebhookSignatureError('not-an-event', 'the body is empty');
  return new WebhookSignatureError('not-an-event', 'the body is not a JSON Stripe event');
}
