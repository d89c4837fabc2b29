import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { isBinaryAction, resolveAction, runAction, type ActionFile } from '../../actions/index.ts';
import { loadCatalog } from '../../catalog/index.ts';
import { readPayload } from '../../entities/input.ts';
import { ConnectorError } from '../../errors.ts';
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
  output?: string;
}

const isFile = (value: unknown): value is ActionFile =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as ActionFile).body);

function writeOutput(file: string, data: Buffer | string): string {
  const full = resolve(file);
  try {
    writeFileSync(full, data);
  } catch (error) {
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `--output: cannot write ${full} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { field: '--output' },
    );
  }
  return full;
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
    .option('--idempotency-key <key>', 'idempotency key for the write (default: generated)')
    .option(
      '--output <file>',
      'write the answer to FILE; required for a file (PdfQuote) unless stdout is redirected',
    );
  addConnectionOptions(command).action(async (name: string, opts: ActionOptions) => {
    const payload = readPayload(opts.payload);
    const resolved = resolveAction({ catalog: loadCatalog() }, name);
    const binary = isBinaryAction(resolved);
    // Refused before any call: PDF bytes on a terminal help nobody and may upset it.
    if (binary && opts.shape === 'native' && !opts.output && process.stdout.isTTY) {
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `${name} returns a file: pass --output FILE (or redirect stdout); it is not written to a terminal`,
        { field: '--output' },
      );
    }
    const out = await withContext(await contextFromOptions(opts), (ctx) =>
      runAction(ctx, resolved, payload, { shape: opts.shape, idempotencyKey: opts.idempotencyKey }),
    );
    if (isFile(out) && !opts.output) {
      process.stdout.write(out.body);
      return;
    }
    if (!opts.output) {
      printJson(out);
      return;
    }
    // With --output, stdout says what was written, as JSON.
    const file = isFile(out)
      ? out
      : { contentType: 'application/json', body: Buffer.from(JSON.stringify(out, null, 2) + '\n') };
    printJson({
      file: writeOutput(opts.output, file.body),
      contentType: file.contentType,
      bytes: file.body.length,
    });
  });
}
