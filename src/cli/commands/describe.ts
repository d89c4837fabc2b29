import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  program
    .command('describe')
    .description('Show an entity: its fields with types, its operations and its actions with their inputs')
    .argument('<entity>', 'entity name (PaymentIntent) or Stripe resource id (payment_intent)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const [{ loadCatalog }, { describeEntity, operationKinds, parameterRows }] = await Promise.all([
        import('../../catalog/index.ts'),
        import('../../catalog/describe.ts'),
      ]);
      const catalog = loadCatalog();
      const entity = catalog.entity(name);
      const description = describeEntity(catalog, entity);
      if (opts.json) return printJson(description);
      process.stdout.write(
        `${entity.entity} (${entity.id})  operations: ${operationKinds(entity).join(', ')}\n\n`,
      );
      printTable(
        ['field', 'type', 'nullable', 'values'],
        description.fields.map((f) => [
          f.name,
          f.type,
          f.nullable ? 'yes' : '',
          f.enum?.join(' ') ?? (f.expandable ? `expandable: ${f.expandable.join(' ')}` : ''),
        ]),
      );
      process.stdout.write('\nparameters (* required)\n');
      printTable(
        ['operation', 'parameter', 'type', 'values'],
        parameterRows(description.operations).map((p) => [
          p.operation,
          p.required ? `${p.name}*` : p.name,
          p.type,
          p.enum?.filter((v) => v !== '').join(' ') ?? '',
        ]),
      );
      if (description.actions.length) {
        process.stdout.write('\nactions\n');
        printTable(
          ['action', 'inputs'],
          description.actions.map((a) => [
            [a.name, ...a.aliases].join(' / '),
            a.inputs.map((i) => (i.required ? `${i.name}*` : i.name)).join(', '),
          ]),
        );
      }
    });
}
