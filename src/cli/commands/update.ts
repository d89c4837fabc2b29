import type { Command } from 'commander';
import { withConnection } from '../context.ts';
import { addObjectOptions, objectInputs, type ObjectOptions } from '../options.ts';
import { printJson } from '../output.ts';

export function register(program: Command): void {
  const command = program
    .command('update')
    .description('Update an object of an entity by its id with a payload')
    .argument('<entity>', 'entity name (Customer, Product, ...)')
    .argument('<id>', 'the object id (cus_...)');
  addObjectOptions(command, {
    payload: { required: true, example: '{"Name":"John"}' },
    shapeDefault: 'native',
    idempotencyKey: true,
  }).action(async (entity: string, id: string, opts: ObjectOptions) => {
    const { payload, ...options } = objectInputs(opts);
    const { updateEntity } = await import('../../entities/index.ts');
    printJson(await withConnection(opts, (ctx) => updateEntity(ctx, entity, id, payload, options)));
  });
}
