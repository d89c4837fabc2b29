import type { Command } from 'commander';
import { withConnection } from '../context.ts';
import { addObjectOptions, objectInputs, type ObjectOptions } from '../options.ts';
import { printJson } from '../output.ts';

export function register(program: Command): void {
  const command = program
    .command('create')
    .description('Create an object of an entity from a payload')
    .argument('<entity>', 'entity name (PaymentIntent, Customer, TaxId, ...)');
  addObjectOptions(command, {
    payload: { required: true, example: '{"Amount":1500,"Currency":"usd"}' },
    shapeDefault: 'native',
    idempotencyKey: true,
  }).action(async (entity: string, opts: ObjectOptions) => {
    const { payload, ...options } = objectInputs(opts);
    const { createEntity } = await import('../../entities/index.ts');
    printJson(await withConnection(opts, (ctx) => createEntity(ctx, entity, payload, options)));
  });
}
