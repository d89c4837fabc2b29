/** `billing integration add|list|show|update-keys|remove`. */
import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';
import { addBillingOptions, show, withBilling, type BillingOptions } from './billing-common.ts';

interface KeyOptions extends BillingOptions {
  title?: string;
  name?: string;
  publishableKey?: string;
  secretKey?: string;
  baseUrl?: string;
}

export function registerIntegration(billing: Command): void {
  const integration = billing
    .command('integration')
    .description('Billing integrations: a title, a name, two keys');

  addBillingOptions(
    integration
      .command('add')
      .description('Add an integration: Stripe is asked which account and mode its keys belong to')
      .requiredOption('--title <title>', 'its title; the name is derived from it (My Billing → my-billing)')
      .requiredOption('--publishable-key <ref>', 'the publishable key as a reference: env:VAR or file:PATH')
      .requiredOption(
        '--secret-key <ref>',
        'the secret (or restricted) key as a reference: env:VAR or file:PATH',
      )
      .option('--name <name>', 'a name other than the title’s')
      .option('--base-url <url>', 'a Stripe-compatible API (default: STRIPE_API_BASE, else Stripe)'),
  ).action((opts: KeyOptions) =>
    withBilling(opts, async (b) => {
      const view = await b.addIntegration({
        title: opts.title!,
        publishableKey: opts.publishableKey!,
        secretKey: opts.secretKey!,
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
      });
      show({ ...view }, opts);
    }),
  );

  addBillingOptions(
    integration.command('list').description('Integrations with their catalogs and queue status'),
  ).action((opts: BillingOptions) =>
    withBilling(opts, async (b) => {
      const all = await b.integrations();
      if (opts.json) return printJson(all);
      printTable(
        [
          'name',
          'title',
          'mode',
          'account',
          'catalogs',
          'queued',
          'running',
          'failed',
          'blocked',
          'last problem',
        ],
        all.map((i) => [
          i.name,
          i.title,
          i.mode,
          i.account,
          i.catalogs.join(', '),
          i.queue.queued,
          i.queue.running,
          i.queue.failed,
          i.queue.blocked,
          i.queue.lastProblem?.problem ?? '',
        ]),
      );
    }),
  );

  addBillingOptions(
    integration.command('show <name>').description('One integration (key references only, never keys)'),
  ).action((name: string, opts: BillingOptions) =>
    withBilling(opts, async (b) => show({ ...(await b.integration(name)) }, opts)),
  );

  addBillingOptions(
    integration
      .command('update-keys <name>')
      .description('New keys, taken only if they are of the same account and mode')
      .option('--publishable-key <ref>', 'env:VAR or file:PATH')
      .option('--secret-key <ref>', 'env:VAR or file:PATH'),
  ).action((name: string, opts: KeyOptions) =>
    withBilling(opts, async (b) => {
      const keys = {
        ...(opts.publishableKey ? { publishableKey: opts.publishableKey } : {}),
        ...(opts.secretKey ? { secretKey: opts.secretKey } : {}),
      };
      show({ ...(await b.updateKeys(name, keys)) }, opts);
    }),
  );

  addBillingOptions(
    integration
      .command('remove <name>')
      .description('Remove an integration; its unfinished jobs are discarded'),
  ).action((name: string, opts: BillingOptions) =>
    withBilling(opts, async (b) => show(await b.removeIntegration(name), opts)),
  );
}
