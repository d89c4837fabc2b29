/** `billing subscribe|change-plan|unsubscribe`: a consumer's subscriptions changed, through the queue. */
import type { Command } from 'commander';
import { addBillingOptions, reportOutcome, withBilling, type BillingOptions } from './billing-common.ts';

interface ConsumerOptions extends BillingOptions {
  integration: string;
  consumer: string;
  plan?: string;
  email?: string;
  name?: string;
  card?: string;
  testClock?: string;
  to?: string;
  from?: string;
  now?: boolean;
  wait?: boolean;
}

export const consumerCommand = (parent: Command, spec: string, description: string) =>
  addBillingOptions(
    parent
      .command(spec)
      .description(description)
      .requiredOption('--integration <name>', 'the billing integration')
      .requiredOption('--consumer <id>', 'the consumer’s id (kept in the customer’s metadata)'),
  );

export function registerSubscriptions(billing: Command): void {
  consumerCommand(
    billing,
    'subscribe',
    'Subscribe a consumer: customer found or created, card attached as default, subscription created',
  )
    .requiredOption('--plan <name>', 'the plan (its lookup key)')
    .option('--email <email>', 'the customer’s email')
    .option('--name <name>', 'the customer’s name')
    .option('--card <pm>', 'a PaymentMethod id (pm_card_visa in test mode)')
    .option('--test-clock <id>', 'test mode: make the customer on this test clock')
    .option('--no-wait', 'only enqueue the jobs')
    .action((opts: ConsumerOptions) =>
      withBilling(opts, async (b) => {
        const out = await b.subscribe({
          integration: opts.integration,
          plan: opts.plan!,
          consumer: opts.consumer,
          ...(opts.email ? { email: opts.email } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.card ? { card: opts.card } : {}),
          ...(opts.testClock ? { testClock: opts.testClock } : {}),
          wait: opts.wait !== false,
        });
        if (out.existing && !opts.json)
          return void process.stdout.write(`already subscribed: ${out.existing}\n`);
        reportOutcome(out, opts, opts.wait !== false);
        const paymentError = (out.subscription as { paymentError?: string } | undefined)?.paymentError;
        if (paymentError) {
          process.stderr.write(`payment failed: ${paymentError}\n`);
          process.exitCode = 1;
        }
      }),
    );

  consumerCommand(billing, 'change-plan', 'Move a consumer’s subscription to another plan (Stripe prorates)')
    .requiredOption('--to <plan>', 'the new plan')
    .option('--from <plan>', 'the plan to leave, when the consumer has several')
    .option('--no-wait', 'only enqueue the job')
    .action((opts: ConsumerOptions) =>
      withBilling(opts, async (b) => {
        const out = await b.changePlan({
          integration: opts.integration,
          consumer: opts.consumer,
          to: opts.to!,
          ...(opts.from ? { from: opts.from } : {}),
          wait: opts.wait !== false,
        });
        reportOutcome(out, opts, opts.wait !== false);
      }),
    );

  consumerCommand(
    billing,
    'unsubscribe',
    'Cancel a consumer’s subscription at the end of the period (or --now)',
  )
    .option('--plan <name>', 'the plan, when the consumer has several')
    .option('--now', 'cancel at once instead of at the period end')
    .option('--no-wait', 'only enqueue the job')
    .action((opts: ConsumerOptions) =>
      withBilling(opts, async (b) => {
        const out = await b.unsubscribe({
          integration: opts.integration,
          consumer: opts.consumer,
          ...(opts.plan ? { plan: opts.plan } : {}),
          now: Boolean(opts.now),
          wait: opts.wait !== false,
        });
        reportOutcome(out, opts, opts.wait !== false);
      }),
    );
}
