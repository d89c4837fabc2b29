/** `billing catalog add|list|attach|detach`. */
import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';
import { addBillingOptions, show, withBilling, type BillingOptions } from './billing-common.ts';

export function registerCatalog(billing: Command): void {
  const catalog = billing
    .command('catalog')
    .description('Catalogs: sandbox (test keys only) or production (live keys only)');

  addBillingOptions(
    catalog
      .command('add <name>')
      .description('Add a catalog')
      .requiredOption('--kind <kind>', 'sandbox or production'),
  ).action((name: string, opts: BillingOptions & { kind: string }) =>
    withBilling(opts, async (b) => show({ ...(await b.addCatalog(name, opts.kind)) }, opts)),
  );

  addBillingOptions(catalog.command('list').description('Catalogs with their integrations')).action(
    (opts: BillingOptions) =>
      withBilling(opts, async (b) => {
        const all = await b.catalogs();
        if (opts.json) return printJson(all);
        printTable(
          ['name', 'kind', 'integrations'],
          all.map((c) => [c.name, c.kind, c.integrations.join(', ')]),
        );
      }),
  );

  addBillingOptions(
    catalog.command('attach <catalog> <integration>').description('Add an integration to a catalog'),
  ).action((name: string, integration: string, opts: BillingOptions) =>
    withBilling(opts, async (b) => show({ ...(await b.attach(name, integration)) }, opts)),
  );

  addBillingOptions(
    catalog.command('detach <catalog> <integration>').description('Take an integration out of a catalog'),
  ).action((name: string, integration: string, opts: BillingOptions) =>
    withBilling(opts, async (b) => show({ ...(await b.detach(name, integration)) }, opts)),
  );
}
