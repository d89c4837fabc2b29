import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { withConnection } from '../context.ts';
import { addObjectOptions, objectInputs, type ObjectOptions } from '../options.ts';
import { printJson } from '../output.ts';
import { writeOutputFile } from '../files.ts';

interface ActionOptions extends ObjectOptions {
  output?: string;
}

export function register(program: Command): void {
  const command = program
    .command('action')
    .description('Run an action (CapturePaymentIntent, FinalizeQuote, CreateProduct, ...); see `actions`')
    .argument('<name>', 'action name or alias')
    .option(
      '--output <file>',
      'write the answer to FILE (a file such as PdfQuote’s PDF gets its bytes; stdout says what was written)',
    );
  addObjectOptions(command, {
    payload: { required: false, example: '{"PaymentIntentId":"pi_..."}' },
    shapeDefault: 'native',
    idempotencyKey: true,
  }).action(async (name: string, opts: ActionOptions) => {
    const { payload, shape = 'native', idempotencyKey } = objectInputs(opts);
    const [{ isBinaryAction, resolveAction, runAction, shapeFile }, { loadCatalog }] = await Promise.all([
      import('../../actions/index.ts'),
      import('../../catalog/index.ts'),
    ]);
    const resolved = resolveAction({ catalog: loadCatalog() }, name);
    const binary = isBinaryAction(resolved);
    // Refused before any call: PDF bytes on a terminal help nobody and may upset it.
    if (binary && shape === 'native' && !opts.output && process.stdout.isTTY) {
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `${name} returns a file: pass --output FILE (or redirect stdout); it is not written to a terminal`,
        { field: '--output' },
      );
    }
    // A file written to --output needs the bytes, whatever shape the summary on stdout takes.
    const runShape = binary && opts.output ? 'native' : shape;
    const out = await withConnection(opts, (ctx) =>
      runAction(ctx, resolved, payload, { shape: runShape, idempotencyKey }),
    );
    if (!opts.output) {
      if (binary && shape === 'native') process.stdout.write((out as { body: Buffer }).body);
      else printJson(out);
      return;
    }
    if (binary) {
      const file = out as { contentType: string; body: Buffer };
      const written = {
        file: writeOutputFile(opts.output, file.body),
        contentType: file.contentType,
        bytes: file.body.length,
      };
      printJson(shape === 'native' ? written : shapeFile(file, shape));
      return;
    }
    // A JSON answer written to a file; stdout says what was written.
    const body = Buffer.from(JSON.stringify(out, null, 2) + '\n');
    printJson({
      file: writeOutputFile(opts.output, body),
      contentType: 'application/json',
      bytes: body.length,
    });
  });
}
