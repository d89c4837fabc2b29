import { Command, Option } from 'commander';
import { updateEntity } from '../../entities/index.ts';
import { parseParents, readPayload } from '../../entities/input.ts';
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

interface UpdateOptions extends ConnectionOptions {
  payload?: string;
  shape?: Shape;
  parent?: string[];
  idempotencyKey?: string;
}

export function register(program: Command): void {
  const command = program
    .command('update')
    .description('Update an object of an entity by its id with a payload')
    .argument('<entity>', 'entity name (Customer, Product, ...)')
    .argument('<id>', 'the object id (cus_...)')
    .requiredOption('--payload <json>', 'fields as JSON or @file: {"Name":"John"}')
    .addOption(
      new Option('--shape <shape>', 'output shape (seed: {"Id": "..."})')
        .choices(SHAPE_CHOICES)
        .default('native'),
    )
    .option('--parent <name=id>', 'a parent id for nested entities (customer=cus_1); repeatable', collect, [])
    .option('--idempotency-key <key>', 'idempotency key for the write (default: generated)');
  addConnectionOptions(command).action(async (entity: string, id: string, opts: UpdateOptions) => {
    const payload = readPayload(opts.payload);
    const parents = parseParents(opts.parent);
    const out = await withContext(await contextFromOptions(opts), (ctx) =>
      updateEntity(ctx, entity, id, payload, {
        parents,
        shape: opts.shape,
        idempotencyKey: opts.idempotencyKey,
      }),
    );
    printJson(out);
  });
}
