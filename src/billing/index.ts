/** Billing integrations (the IBM seed): plans in Stripe, subscriptions, a job queue per integration. */
export {
  BillingService,
  type BillingServiceOptions,
  type IntegrationStatus,
  type JobsOutcome,
  type WaitOptions,
} from './service.ts';
export { BillingWorker, type WorkerEvent, type WorkerOptions } from './worker.ts';
export type { IntegrationView, AddIntegrationInput, IntegrationDefinition } from './integrations.ts';
export type { JobView, JobState, QueueStatus } from './views.ts';
export type { PlanSource, RetrySchedule, ChangeView, IntegrationChanges } from './apply.ts';
export type { SubscribeInput, UnsubscribeInput, ChangePlanInput } from './subscribe.ts';
export type { ConsumerOverview } from './overview.ts';
export { CATALOG_KINDS, type CatalogKind } from './catalogs.ts';
export { parsePlanFile, loadPlanFile, type PlanFile } from './plan-file.ts';
export { slugify } from './names.ts';
