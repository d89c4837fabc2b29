/** `billing subscriptions`: a consumer's subscriptions, invoices and payments, as Stripe has them. */
import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';
import { withBilling, type BillingOptions } from './billing-common.ts';
import { consumerCommand } from './billing-subscribe.ts';

export function registerConsumerView(billing: Command): void {
  consumerCommand(billing, 'subscriptions', 'A consumer’s subscriptions, invoices and payments').action(
    (opts: BillingOptions & { integration: string; consumer: string }) =>
      withBilling(opts, async (b) => {
        const seen = await b.subscriptions(opts.integration, opts.consumer);
        if (opts.json) return printJson(seen);
        process.stdout.write(`consumer ${seen.consumer}: customer ${seen.customer ?? '(none)'}\n`);
        printTable(
          ['subscription', 'plan', 'status', 'cancel at period end'],
          seen.subscriptions.map((s) => [s.id, s.plan ?? '', s.status, s.cancelAtPeriodEnd ? 'yes' : '']),
        );
        printTable(
          ['invoice', 'reason', 'status', 'due', 'paid', 'currency'],
          seen.invoices.map((i) => [
            i.id,
            i.billingReason ?? '',
            i.status,
            i.amountDue,
            i.amountPaid,
            i.currency,
          ]),
        );
        printTable(
          ['payment', 'amount', 'status', 'failure'],
          seen.payments.map((p) => [p.id, `${p.amount} ${p.currency}`, p.status, p.failure ?? '']),
        );
      }),
  );
}
