/** `billing plan --catalog C FILE` (what would change) and `billing apply --catalog C FILE` (change it, through the queue). */
import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';
import { addBillingOptions, reportOutcome, withBilling, type BillingOptions } from './billing-common.ts';

interface PlanOptions extends BillingOptions {
  catalog: string;
  wait?: boolean;
}

export function registerPlans(billing: Command): void {
  addBillingOptions(
    billing
      .command('plan <file>')
      .description(
        'Show what applying the plan file would change in each attached integration’s Stripe account',
      )
      .requiredOption('--catalog <name>', 'the catalog the plans are for'),
  ).action((file: string, opts: PlanOptions) =>
    withBilling(opts, async (b) => {
      const planned = await b.plan({ catalog: opts.catalog, file });
      if (opts.json) return printJson(planned);
      const rows = planned.integrations.flatMap((i) =>
        i.changes.map((c) => [i.integration, c.kind, c.summary]),
      );
      if (!rows.length) return void process.stdout.write('no changes: Stripe matches the plan file\n');
      printTable(['integration', 'change', 'what'], rows);
    }),
  );

  addBillingOptions(
    billing
      .command('apply <file>')
      .description(
        'Make Stripe match the plan file: one job per change in each integration’s queue, run and waited for',
      )
      .requiredOption('--catalog <name>', 'the catalog the plans are for')
      .option('--no-wait', 'only enqueue the jobs (a running worker takes them)'),
  ).action((file: string, opts: PlanOptions) =>
    withBilling(opts, async (b) => {
      const applied = await b.apply({ catalog: opts.catalog, file, wait: opts.wait !== false });
      const jobs = applied.integrations.flatMap((i) => i.jobs ?? []);
      if (!jobs.length && !opts.json)
        return void process.stdout.write('no changes: Stripe matches the plan file\n');
      reportOutcome({ ...applied, jobs }, opts, opts.wait !== false);
    }),
  );
}
