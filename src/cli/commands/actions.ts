import type { Command } from 'commander';
import { loadCatalog } from '../../catalog/index.ts';
import { actionInputs } from '../../catalog/describe.ts';
import { printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  program
    .command('actions')
    .description('List every action (Stripe custom method) with its entity and inputs')
    .option('--json', 'print JSON')
    .option('--entity <entity>', 'only the actions of one entity')
    .action((opts: { json?: boolean; entity?: string }) => {
      const catalog = loadCatalog();
      const only = opts.entity ? catalog.entity(opts.entity) : undefined;
      const rows = catalog
        .actions()
        .filter((a) => !only || a.entity === only)
        .map((a) => ({
          name: a.name,
          aliases: a.aliases,
          entity: a.entity.entity,
          method: a.operation.method,
          path: a.operation.path,
          testHelper: Boolean(a.operation.testHelper),
          inputs: actionInputs(a),
        }));
      if (opts.json) return printJson(rows);
      printTable(
        ['action', 'entity', 'inputs'],
        rows.map((r) => [
          [r.name, ...r.aliases].join(' / '),
          r.entity,
          r.inputs.map((i) => (i.required ? `${i.name}*` : i.name)).join(', '),
        ]),
      );
    });
}
