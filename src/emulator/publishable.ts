/**
 * Publishable keys (`pk_`) as Stripe takes them: only for what a browser or app does with
 * Stripe.js / mobile SDKs (tokens, payment methods, sources, and confirming or reading an intent
 * by its client secret); any other call is refused, with Stripe's message, before it runs.
 */
import { StripeError } from './errors.ts';

const ALLOWED: Array<[string, RegExp]> = [
  ['POST', /^\/v1\/tokens$/],
  ['POST', /^\/v1\/payment_methods$/],
  ['POST', /^\/v1\/sources$/],
  ['GET', /^\/v1\/sources\/[^/]+$/],
  ['GET', /^\/v1\/(payment|setup)_intents\/[^/]+$/],
  ['POST', /^\/v1\/(payment|setup)_intents\/[^/]+\/confirm$/],
];

export function checkPublishable(method: string, path: string): void {
  if (ALLOWED.some(([m, re]) => m === method && re.test(path))) return;
  throw new StripeError(
    401,
    'invalid_request_error',
    'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
  );
}
