/** Names derived from Stripe's identifiers: entity names and action names. */

const pascal = (words: string[]) => words.map((w) => (w ? w[0].toUpperCase() + w.slice(1) : '')).join('');

/** `payment_intent` → `PaymentIntent`, `checkout.session` → `CheckoutSession`. */
export function entityNameOf(resourceId: string): string {
  return pascal(resourceId.split(/[._]/));
}

/**
 * Verb + Entity: `confirm` on PaymentIntent → `ConfirmPaymentIntent`; a method that already names
 * its entity keeps it once (`finalize_quote` on Quote → `FinalizeQuote`).
 */
export function actionNameOf(method: string, entity: string): string {
  const verb = pascal(method.split(/[._]/));
  return verb.endsWith(entity) ? verb : verb + entity;
}

/** Keys match fields case-insensitively, ignoring `_`: `PaymentMethod` ~ `payment_method`. */
export function looseKey(name: string): string {
  return name.replace(/[_\s-]/g, '').toLowerCase();
}

/** The one loose matcher: which of `names` a user's key means (`PaymentMethod` → `payment_method`). */
export function findLoose<T extends string>(names: Iterable<T>, key: string): T | undefined {
  const loose = looseKey(key);
  for (const name of names) if (looseKey(name) === loose) return name;
  return undefined;
}
