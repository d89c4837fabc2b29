/** The hand-written state machines, registered over the generic catalog-driven handlers. */
import type { Engine } from '../engine.ts';
import { registerCharges } from './charges.ts';
import { registerCustomers } from './customers.ts';
import { registerDiscounts } from './discounts.ts';
import { registerConnect } from './connect.ts';
import { registerDisputes, registerReviews } from './disputes.ts';
import { registerEvents } from './events.ts';
import { registerFinancialConnections } from './financial_connections.ts';
import { registerInvoices } from './invoices.ts';
import { registerPaymentIntents } from './payment_intents.ts';
import { registerPaymentMethods } from './payment_methods.ts';
import { registerPrices } from './prices.ts';
import { registerQuotes } from './quotes.ts';
import { registerReference } from './reference.ts';
import { registerSetupIntents } from './setup_intents.ts';
import { registerSources } from './sources.ts';
import { registerSubscriptions } from './subscriptions.ts';
import { registerTreasury } from './treasury.ts';
import { registerTestClocks } from './test_clocks.ts';

export function registerBehaviours(engine: Engine, opts: { webhookSecret?: string }): void {
  registerPaymentMethods(engine);
  registerCharges(engine);
  registerPaymentIntents(engine);
  registerSetupIntents(engine);
  registerCustomers(engine);
  registerDiscounts(engine);
  registerInvoices(engine);
  registerQuotes(engine);
  registerPrices(engine);
  registerSubscriptions(engine);
  registerDisputes(engine);
  registerReviews(engine);
  registerFinancialConnections(engine);
  registerConnect(engine);
  registerReference(engine);
  registerSources(engine);
  registerTreasury(engine);
  registerEvents(engine, opts);
  registerTestClocks(engine);
}
