import { Command, Option } from 'commander';
import { deleteEntity } from '../../entities/index.ts';
import { parseParents } from '../../entities/input.ts';
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

interface DeleteOptions extends ConnectionOptions {
  shape?: Shape;
  parent?: string[];
}

export function register(program: Command): void {
  const command = program
    .command('delete')
    .description('Delete an object of an entity by its id (EntityId)')
    .argument('<entity>', 'entity name (Customer, Coupon, TaxId, ...)')
    .argument('<id>', 'the object id (cus_...)')
    .addOption(new Option('--shape <shape>', 'output shape').choices(SHAPE_CHOICES).default('native'))
    // No --idempotency-key: Stripe takes keys on POST only; a DELETE is idempotent by itself.
    .option(
      '--parent <name=id>',
      'a parent id for nested entities (customer=cus_1); repeatable',
      collect,
      [],
    );
  addConnectionOptions(command).action(async (entity: string, id: string, opts: DeleteOptions) => {
    const parents = parseParents(opts.parent);
    const out = await withContext(await contextFromOptions(opts), (ctx) =>
      deleteEntity(ctx, entity, id, { parents, shape: opts.shape }),
    );
    printJson(out);
  });
}
