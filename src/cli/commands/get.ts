import type { Command } from 'commander';
import { withConnection } from '../context.ts';
import { parseList } from '../input.ts';
import { addObjectOptions, objectInputs, type ObjectOptions } from '../options.ts';
import { printJson } from '../output.ts';

interface GetOptions extends ObjectOptions {
  expand?: string;
  flat?: boolean;
  expandLists?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('get')
    .description('Get one object of an entity by its id (EntityId)')
    .argument('<entity>', 'entity name (Customer, PaymentIntent, TaxId, ...)')
    .argument('<id>', 'the object id (cus_...)')
    .option('--expand <fields>', 'expand these fields (comma-separated: customer,latest_charge)')
    .option('--flat', 'flatten nested fields to dotted columns (same as --shape flat)')
    .option('--expand-lists', 'fetch nested lists (invoice lines) completely, not cut at 10');
  addObjectOptions(command, {}).action(async (entity: string, id: string, opts: GetOptions) => {
    const { parents, shape } = objectInputs(opts);
    const { getEntity } = await import('../../entities/index.ts');
    const out = await withConnection(opts, (ctx) =>
      getEntity(ctx, entity, id, {
        parents,
        expand: parseList(opts.expand),
        expandLists: opts.expandLists,
        shape: shape ?? (opts.flat ? 'flat' : 'native'),
      }),
    );
    printJson(out);
  });
}
