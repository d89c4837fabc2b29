/** `billing …`: billing integrations, catalogs, plans, subscriptions and the job queue (the IBM seed). */
import type { Command } from 'commander';
import { registerIntegration } from './billing-integration.ts';
import { registerCatalog } from './billing-catalog.ts';
import { registerPlans } from './billing-plan.ts';
import { registerSubscriptions } from './billing-subscribe.ts';
import { registerConsumerView } from './billing-subscriptions.ts';
import { registerJobs } from './billing-jobs.ts';

export function register(program: Command): void {
  const billing = program
    .command('billing')
    .description('Billing integrations: plans kept in Stripe, subscriptions, a job queue per integration');
  registerIntegration(billing);
  registerCatalog(billing);
  registerPlans(billing);
  registerSubscriptions(billing);
  registerConsumerView(billing);
  registerJobs(billing);
}
