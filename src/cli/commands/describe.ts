import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  program
    .command('describe')
    .description('Show an entity: its fields with types, its operations and its actions with their inputs')
    .argument('<entity>', 'entity name (PaymentIntent) or Stripe resource id (payment_intent)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const [{ loadCatalog }, { actionInputs, entityFields, operationKinds, summarizeParams }] =
        await Promise.all([import('../../catalog/index.ts'), import('../../catalog/describe.ts')]);
      const catalog = loadCatalog();
      const entity = catalog.entity(name);
      const description = {
        entity: entity.entity,
        resource: entity.id,
        idPrefix: entity.idPrefix,
        searchable: Boolean(entity.searchable),
        fields: entityFields(catalog, entity),
        operations: entity.operations
          .filter((o) => o.kind !== 'custom')
          .map((o) => ({
            kind: o.kind,
            name: o.name,
            method: o.method,
            path: o.path,
            params: summarizeParams(o.params),
          })),
        actions: catalog
          .actions()
          .filter((a) => a.entity === entity)
          .map((a) => ({
            name: a.name,
            aliases: a.aliases,
            method: a.operation.method,
            path: a.operation.path,
            inputs: actionInputs(a),
          })),
      };
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
