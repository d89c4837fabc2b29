/** `billing jobs [--integration N] [--status S]`, `billing jobs show|retry|discard ID`, `billing work`. */
import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { printFields, printJson } from '../output.ts';
import {
  addBillingOptions,
  printJobs,
  reportOutcome,
  withBilling,
  type BillingOptions,
} from './billing-common.ts';

const STATES = ['queued', 'running', 'succeeded', 'failed', 'blocked', 'discarded'] as const;

interface JobsOptions extends BillingOptions {
  integration?: string;
  status?: (typeof STATES)[number];
  limit?: string;
  wait?: boolean;
}

function jobId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1)
    throw new ConnectorError('INVALID_ARGUMENT', `job id must be a positive whole number, got "${value}"`, {
      field: 'id',
    });
  return id;
}

export function registerJobs(billing: Command): void {
  const jobs = addBillingOptions(
    billing
      .command('jobs')
      .description('The billing queue: jobs in creation order with status, attempts and the last problem')
      .option('--integration <name>', 'one integration’s queue')
      .option('--status <status>', `only jobs in this state: ${STATES.join(', ')}`)
      .option('--limit <n>', 'at most this many'),
  ).action((opts: JobsOptions) =>
    withBilling(opts, async (b) => {
      if (opts.status && !STATES.includes(opts.status))
        throw new ConnectorError(
          'INVALID_ARGUMENT',
          `--status must be one of ${STATES.join(', ')}, got "${opts.status}"`,
          { field: '--status' },
        );
      const list = await b.jobs({
        ...(opts.integration ? { integration: opts.integration } : {}),
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.limit ? { limit: Number(opts.limit) } : {}),
      });
      if (opts.json) printJson(list);
      else printJobs(list);
    }),
  );

  addBillingOptions(jobs.command('show <id>').description('One job with every attempt')).action(
    (id: string, opts: BillingOptions) =>
      withBilling(opts, async (b) => {
        const job = await b.job(jobId(id));
        if (opts.json) return printJson(job);
        printFields({ ...job, result: job.result ?? '', attemptLog: undefined });
        for (const a of job.attemptLog ?? [])
          process.stdout.write(
            `  attempt ${a.attempt} by ${a.worker}: ${a.outcome ?? 'running'}${a.error ? `: ${a.error}` : ''}\n`,
          );
      }),
  );

  addBillingOptions(
    jobs
      .command('retry <id>')
      .description('Put a blocked job back in its queue and run it')
      .option('--no-wait', 'only requeue it'),
  ).action((id: string, opts: JobsOptions) =>
    withBilling(opts, async (b) =>
      reportOutcome(await b.retryJob(jobId(id), { wait: opts.wait !== false }), opts, opts.wait !== false),
    ),
  );

  addBillingOptions(
    jobs.command('discard <id>').description('Give up a queued or blocked job (the queue moves on)'),
  ).action((id: string, opts: BillingOptions) =>
    withBilling(opts, async (b) => {
      const job = await b.discardJob(jobId(id));
      if (opts.json) printJson(job);
      else printJobs([job]);
    }),
  );

  addBillingOptions(
    billing
      .command('work')
      .description('Run the billing queue’s worker until Ctrl-C (the server runs one too)'),
  ).action((opts: BillingOptions) =>
    withBilling(opts, async (b) => {
      const { runUntilSignal } = await import('../../lifecycle.ts');
      await runUntilSignal([b.worker()], { log: (line) => process.stderr.write(`${line}\n`) });
    }),
  );
}
