import { Command, Option } from 'commander';
import { runAction } from '../../actions/index.ts';
import { readPayload } from '../../entities/input.ts';
import {
  addConnectionOptions,
  contextFromOptions,
  SHAPE_CHOICES,
  withContext,
  type ConnectionOptions,
  type Shape,
} from '../context.ts';
import { printJson } from '../output.ts';

interface ActionOptions extends ConnectionOptions {
  payload?: string;
  shape?: Shape;
  idempotencyKey?: string;
}

export function register(program: Command): void {
  const command = program
    .command('action')
    .description('Run an action (CapturePaymentIntent, FinalizeQuote, CreateProduct, ...); see `actions`')
    .argument('<name>', 'action name or alias')
    .option('--payload <json>', 'inputs as JSON or @file: {"PaymentIntentId":"pi_..."}')
    .addOption(
      new Option('--shape <shape>', 'output shape: Stripe JSON, flat row, or the seed’s')
        .choices(SHAPE_CHOICES)
        .default('native'),
    )
    .option('--idempotency-key <key>', 'idempotency key for the write (default: generated)');
  addConnectionOptions(command).action(async (name: string, opts: ActionOptions) => {
    const payload = readPayload(opts.payload);
    const out = await withContext(await contextFromOptions(opts), (ctx) =>
      runAction(ctx, name, payload, { shape: opts.shape, idempotencyKey: opts.idempotencyKey }),
    );
    printJson(out);
  });
}
