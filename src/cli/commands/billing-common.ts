/**
 * What the billing commands share: --data-dir / --store / --json, the BillingService over the
 * selected store (imported when a command runs), and printing jobs and their outcome.
 */
import type { Command } from 'commander';
import type { BillingService, JobView, JobsOutcome } from '../../billing/index.ts';
import { printFields, printJson, printTable } from '../output.ts';

export interface BillingOptions {
  dataDir?: string;
  store?: string;
  json?: boolean;
}

export function addBillingOptions(command: Command): Command {
  return command
    .option(
      '--data-dir <dir>',
      'where the store lives (default: STRIPE_CONNECTOR_DATA, else ./.stripe-connector)',
    )
    .option('--store <url>', 'a store URL instead: postgres://… or sqlite:PATH')
    .option('--json', 'print JSON');
}

/** Runs with a BillingService on the options' store, always closed after. */
export async function withBilling<T>(
  opts: BillingOptions,
  run: (billing: BillingService) => Promise<T>,
): Promise<T> {
  const [{ openStore }, { BillingService }] = await Promise.all([
    import('../../store/index.ts'),
    import('../../billing/index.ts'),
  ]);
  const store = await openStore({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.store ? { url: opts.store } : {}),
  });
  const billing = new BillingService({ store });
  try {
    return await run(billing);
  } finally {
    await billing.close();
    await store.close();
  }
}

/** One record: JSON with --json, else aligned fields. */
export const show = (value: Record<string, unknown>, opts: BillingOptions) =>
  opts.json ? printJson(value) : printFields(value);

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export function printJobs(jobs: JobView[]): void {
  printTable(
    ['id', 'integration', 'status', 'attempts', 'summary', 'problem'],
    jobs.map((j) => [
      j.id,
      j.integration,
      j.status,
      `${j.attempts}/${j.maxAttempts}`,
      j.summary,
      j.problem ?? '',
    ]),
  );
}

/**
 * Prints what a run of jobs came to; a job that failed or a blocked queue makes the exit code 1,
 * with what happens next in words.
 */
export function reportOutcome(outcome: JobsOutcome, opts: BillingOptions, waited: boolean): void {
  if (opts.json) printJson(outcome);
  else if (outcome.jobs.length) printJobs(outcome.jobs);
  if (!waited) return;
  const failed = outcome.jobs.find((j) => j.status === 'failed' || j.status === 'blocked');
  if (failed) {
    process.stderr.write(
      `job ${failed.id} (${failed.summary}) ${failed.status}: ${failed.problem}\n` +
        (failed.status === 'failed'
          ? `it is retried at ${time(failed.runAt)} UTC by a running worker (billing work, or the server); see billing jobs\n`
          : `retry it with: billing jobs retry ${failed.id} (or discard it)\n`),
    );
    process.exitCode = 1;
  } else if (outcome.blockedBy) {
    const b = outcome.blockedBy;
    process.stderr.write(
      `the queue is held by blocked job ${b.id} (${b.summary}): ${b.problem}\nretry it with: billing jobs retry ${b.id} (or discard it)\n`,
    );
    process.exitCode = 1;
  }
}
