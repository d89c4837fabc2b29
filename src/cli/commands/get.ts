import { Command, Option } from 'commander';
import { getEntity } from '../../entities/index.ts';
import { parseList, parseParents } from '../../entities/input.ts';
import { printJson } from '../output.ts';
import {
  addConnectionOptions,
  collect,
  contextFromOptions,
  SHAPE_CHOICES,
  withContext,
  type ConnectionOptions,
  type Shape,
} from '../context.ts';

interface GetOptions extends ConnectionOptions {
  expand?: string;
  flat?: boolean;
  shape?: Shape;
  parent?: string[];
  expandLists?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('get')
    .description('Get one object of an entity by its id (EntityId)')
    .argument('<entity>', 'entity name (Customer, PaymentIntent, TaxId, ...)')
    .argument('<id>', 'the object id (cus_...)')
    .option('--expand <fields>', 'expand these fields (comma-separated: customer,latest_charge)')
    .option('--flat', 'flatten nested fields to dotted columns (same as --shape flat)')
    .addOption(new Option('--shape <shape>', 'output shape').choices(SHAPE_CHOICES))
    .option('--parent <name=id>', 'a parent id for nested entities (customer=cus_1); repeatable', collect, [])
    .option('--expand-lists', 'fetch nested lists (invoice lines) completely, not cut at 10')
    .option('--json', 'print JSON (the default)');
  addConnectionOptions(command).action(async (entity: string, id: string, opts: GetOptions) => {
    const parents = parseParents(opts.parent);
    const out = await withContext(await contextFromOptions(opts), (ctx) =>
      getEntity(ctx, entity, id, {
        parents,
        expand: parseList(opts.expand),
        expandLists: opts.expandLists,
        shape: opts.shape ?? (opts.flat ? 'flat' : 'native'),
      }),
    );
    printJson(out);
  });
}
