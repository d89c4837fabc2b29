/** A gateway that sends every request as one connected account (Stripe-Account), sharing the budget. */
import type { Gateway } from '../gateway/types.ts';

export function forAccount(gateway: Gateway, account: string): Gateway {
  if (!account) return gateway;
  const scoped = Object.create(gateway) as Gateway;
  scoped.request = (req) => gateway.request({ ...req, stripeAccount: req.stripeAccount ?? account });
  return scoped;
}
