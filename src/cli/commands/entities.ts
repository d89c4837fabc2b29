import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  program
    .command('entities')
    .description('List every Stripe entity with the operations it supports')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const [{ loadCatalog }, { operationKinds }] = await Promise.all([
        import('../../catalog/index.ts'),
        import('../../catalog/describe.ts'),
      ]);
      const catalog = loadCatalog();
      const rows = catalog.entities().map((e) => ({
        entity: e.entity,
        resource: e.id,
        operations: operationKinds(e),
        actions: e.operations.filter((o) => o.action).map((o) => o.action as string),
        ...(e.deletedOf ? { deletedOf: e.deletedOf } : {}),
      }));
      if (opts.json) return printJson(rows);
      printTable(
        ['entity', 'operations', 'actions'],
        rows.map((r) => [
          r.entity,
          r.deletedOf ? `(returned by Delete of ${r.deletedOf})` : r.operations.join(' '),
          r.actions.length,
        ]),
      );
    });
}
