import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  program
    .command('actions')
    .description(
      "List every action (Stripe custom methods and the seeds' named actions) with its entity and inputs",
    )
    .option('--json', 'print JSON')
    .option('--entity <entity>', 'only the actions of one entity')
    .action(async (opts: { json?: boolean; entity?: string }) => {
      const [{ loadCatalog }, { listActions }] = await Promise.all([
        import('../../catalog/index.ts'),
        import('../../actions/index.ts'),
      ]);
      const catalog = loadCatalog();
      const only = opts.entity ? catalog.entity(opts.entity) : undefined;
      const rows = listActions({ catalog }).filter((a) => !only || a.entity === only.entity);
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
