import { Command, Option } from 'commander';
import { flatten } from '../../entities/flatten.ts';
import { ConnectorError } from '../../errors.ts';
import { runQuery, type QueryInput } from '../../query/index.ts';
import { addConnectionOptions, contextFromOptions, type ConnectionOptions } from '../context.ts';
import { createWriter, FORMATS, progress, type Format } from '../format.ts';

export interface OutputOptions extends ConnectionOptions {
  format: Format;
  flat?: boolean;
  search?: boolean;
  concurrency?: string;
}

export function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('ndjson'))
    .option('--flat', 'flatten nested fields to dotted columns (address.city)')
    .option('--search', 'allow Stripe search (may lag writes by up to a minute)')
    .option('--no-search', 'never use Stripe search')
    .option('--concurrency <n>', 'concurrent cursors for large full scans (1: no slicing)', '8');
}

/** Runs a query and streams its rows to stdout in the chosen format. */
export async function streamQuery(input: QueryInput, opts: OutputOptions): Promise<void> {
  const concurrency = Number(opts.concurrency ?? 8);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `--concurrency must be a positive integer, got ${opts.concurrency}`,
      { field: '--concurrency' },
    );
  const ctx = await contextFromOptions(opts);
  const writer = createWriter(opts.format);
  const meter = progress();
  try {
    for await (const row of runQuery(ctx, input, { concurrency, onPage: () => meter.page() })) {
      await writer.write(opts.flat ? flatten(row) : row);
      meter.row();
    }
    await writer.end();
    meter.done();
  } finally {
    await ctx.gateway.close();
  }
}

/** `--limit n`: a non-negative integer, or undefined when not given. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (value.trim() === '' || !Number.isInteger(limit) || limit < 0)
    throw new ConnectorError('INVALID_ARGUMENT', `--limit must be a non-negative integer, got "${value}"`, {
      field: '--limit',
    });
  return limit;
}

/** --search / --no-search / neither → true / false / undefined (auto). */
export function searchChoice(command: Command): boolean | undefined {
  const source = command.getOptionValueSource('search');
  return source === 'cli' ? Boolean(command.opts().search) : undefined;
}

export function register(program: Command): void {
  const command = program
    .command('list')
    .description(
      "List an entity, optionally filtered: --filter \"email = 'jane@example.com' AND created >= '2024-01-01'\"",
    )
    .argument('<entity>', 'entity name (Customer, PaymentIntent, …)')
    .option('--filter <clause>', 'SQL WHERE condition; values in single quotes')
    .option('--limit <n>', 'stop after n rows');
  addOutputOptions(command);
  addConnectionOptions(command);
  command.action(
    async (entity: string, opts: OutputOptions & { filter?: string; limit?: string }, cmd: Command) => {
      const limit = parseLimit(opts.limit);
      await streamQuery({ entity, filter: opts.filter, limit, allowSearch: searchChoice(cmd) }, opts);
    },
  );
}
