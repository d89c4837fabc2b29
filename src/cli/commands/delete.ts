import type { Command } from 'commander';
import { withConnection } from '../context.ts';
import { addObjectOptions, objectInputs, type ObjectOptions } from '../options.ts';
import { printJson } from '../output.ts';

export function register(program: Command): void {
  const command = program
    .command('delete')
    .description('Delete an object of an entity by its id (EntityId)')
    .argument('<entity>', 'entity name (Customer, Coupon, TaxId, ...)')
    .argument('<id>', 'the object id (cus_...)');
  // No --idempotency-key: Stripe takes keys on POST only; a DELETE is idempotent by itself.
  addObjectOptions(command, { shapeDefault: 'native' }).action(
    async (entity: string, id: string, opts: ObjectOptions) => {
      const { parents, shape } = objectInputs(opts);
      const { deleteEntity } = await import('../../entities/index.ts');
      printJson(await withConnection(opts, (ctx) => deleteEntity(ctx, entity, id, { parents, shape })));
    },
  );
}
