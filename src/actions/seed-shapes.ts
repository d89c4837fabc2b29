/**
 * The Google seed's output shapes per action, as data. Every seed answer is a one-element array;
 * what goes into that element depends on the action.
 */
import { seedRow } from '../entities/shape.ts';

export type SeedRule =
  /** `{ "Success": "true", …the object flattened }` (Confirm/Capture/CancelPaymentIntent, FinalizeInvoice). */
  | 'object'
  /** `{ "Success": "true" }` only (Attach/Detach, FinalizeQuote, CancelQuote). */
  | 'success'
  /** `{ "InvoiceId": "in_…", "Success": "true" }` (AcceptQuote: accepting generates the invoice). */
  | 'invoice';

/** Canonical action name → rule; actions not listed use 'object'. */
export const SEED_RULES: Record<string, SeedRule> = {
  ConfirmPaymentIntent: 'object',
  CapturePaymentIntent: 'object',
  CancelPaymentIntent: 'object',
  FinalizeInvoice: 'object',
  AttachPaymentMethod: 'success',
  DetachPaymentMethod: 'success',
  FinalizeQuote: 'success',
  CancelQuote: 'success',
  AcceptQuote: 'invoice',
};

type Json = Record<string, any>;

const idOf = (value: unknown): unknown =>
  typeof value === 'object' && value !== null ? (value as Json).id : (value ?? null);

export function seedOutput(action: string, object: Json): Json[] {
  switch (SEED_RULES[action] ?? 'object') {
    case 'success':
      return [{ Success: 'true' }];
    case 'invoice':
      return [{ InvoiceId: idOf(object.invoice), Success: 'true' }];
    default:
      return [{ Success: 'true', ...seedRow(object) }];
  }
}
