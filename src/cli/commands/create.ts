import { Command, Option } from 'commander';
import { createEntity } from '../../entities/index.ts';
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

interface CreateOptions extends ConnectionOptions {
  payload?: string;
  shape?: Shape;
  parent?: string[];
  idempotencyKey?: string;
}

export function register(program: Command): void {
  const command = program
    .command('create')
    .description('Create an object of an entity from a payload')
    .argument('<entity>', 'entity name (PaymentIntent, Customer, TaxId, ...)')
    .requiredOption('--payload <json>', 'fields as JSON or @file: {"Amount":1500,"Currency":"usd"}')
    .addOption(
      new Option('--shape <shape>', 'output shape (seed: {"Id": "..."})')
        .choices(SHAPE_CHOICES)
        .default('native'),
    )
    .option('--parent <name=id>', 'a parent id for nested entities (customer=cus_1); repeatable', collect, [])
    .option('--idempotency-key <key>', 'idempotency key for the write (default: generated)');
  addConnectionOptions(command).action(async (entity: string, opts: CreateOptions) => {
    const payload = readPayload(opts.payload);
    const parents = parseParents(opts.parent);
    const out = await withContext(await contextFromOptions(opts), (ctx) =>
      createEntity(ctx, entity, payload, { parents, shape: opts.shape, idempotencyKey: opts.idempotencyKey }),
    );
    printJson(out);
  });
}
