import { Command, Option } from 'commander';
import { runAction } from '../../actions/index.ts';
import type { ConnectorContext } from '../../context.ts';
import { readPayload } from '../../entities/input.ts';
import type { Shape } from '../../entities/shape.ts';
import { addConnectionOptions, contextFromOptions, type ConnectionOptions } from '../context.ts';
import { printJson } from '../output.ts';

// Shared with get/create/update/delete (one place for the write commands' plumbing).
export type { Shape };
export const SHAPE_CHOICES: Shape[] = ['native', 'flat', 'seed'];

/** Commander's repeatable option collector. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Runs with a context and always closes its gateway (so the process can exit). */
export async function withContext<T>(
  ctx: ConnectorContext,
  run: (ctx: ConnectorContext) => Promise<T>,
): Promise<T> {
  try {
    return await run(ctx);
  } finally {
    await ctx.gateway.close();
  }
}

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
