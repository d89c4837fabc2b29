/**
 * The row commands' plumbing (list, query): their output options, and running a query with its
 * rows streamed to stdout in the chosen format, with progress on a terminal.
 */
import { Option, type Command } from 'commander';
import type { StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import type { QueryInput } from '../query/index.ts';
import { addConnectionOptions, withConnection, type ConnectionOptions } from './context.ts';
import { createWriter, FORMATS, type Format, type TableLayout } from './format.ts';
import { parseList } from './input.ts';
import { addSearchOptions } from './options.ts';
import { createProgress } from './progress.ts';
import { defaultColumns, terminalWidth } from './table.ts';

export interface RowOptions extends ConnectionOptions {
  format?: Format;
  json?: boolean;
  flat?: boolean;
  columns?: string;
  quiet?: boolean;
  search?: boolean;
  concurrency?: string;
}

export function addRowOptions(command: Command): Command {
  command
    .addOption(new Option('--format <format>', 'output format (default: ndjson)').choices(FORMATS))
    .option('--json', 'print a JSON array (same as --format json)')
    .option('--flat', 'flatten nested fields to dotted columns (address.city)')
    .option('--columns <list>', 'only these columns, in this order (id,email,created; dotted paths too)')
    .option('--quiet', 'no progress line on a terminal')
    .option('--concurrency <n>', 'concurrent cursors for large full scans (1: no slicing)', '8');
  addSearchOptions(command);
  return addConnectionOptions(command);
}

function formatOf(opts: RowOptions): Format {
  if (opts.json && opts.format && opts.format !== 'json')
    throw new ConnectorError('INVALID_ARGUMENT', `--json and --format ${opts.format} contradict each other`, {
      field: '--json',
    });
  return opts.json ? 'json' : (opts.format ?? 'ndjson');
}

function concurrencyOf(opts: RowOptions): number {
  const concurrency = Number(opts.concurrency ?? 8);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `--concurrency must be a positive integer, got ${opts.concurrency}`,
      {
        field: '--concurrency',
      },
    );
  return concurrency;
}

/** Table columns: --columns, else the entity's identifying fields for whole objects, else the row's keys. */
async function tableLayout(
  catalog: StripeCatalog,
  input: QueryInput,
  columns?: string[],
): Promise<TableLayout> {
  let entityName = input.entity;
  let wholeObjects = true;
  if (input.sql) {
    const { parseSql } = await import('../query/parse.ts');
    const parsed = parseSql(input.sql);
    entityName = parsed.entity;
    wholeObjects = parsed.select === undefined && !parsed.count;
  }
  const entity = entityName ? catalog.entity(entityName) : undefined;
  const fields = entity ? (catalog.objectOf(entity.schema)?.fields ?? {}) : {};
  const timestamps = new Set(Object.keys(fields).filter((f) => fields[f]!.type === 'timestamp'));
  return {
    columns: columns ?? (wholeObjects && entity ? defaultColumns(Object.keys(fields)) : undefined),
    timestamps,
    width: terminalWidth(),
  };
}

/** Runs a query and streams its rows to stdout in the chosen format. */
export async function streamQuery(input: QueryInput, opts: RowOptions): Promise<void> {
  const format = formatOf(opts);
  const concurrency = concurrencyOf(opts);
  const columns = parseList(opts.columns);
  const [{ runQuery }, { flatten }] = await Promise.all([
    import('../query/index.ts'),
    import('../entities/flatten.ts'),
  ]);
  await withConnection(opts, async (ctx) => {
    const layout = format === 'table' ? await tableLayout(ctx.catalog, input, columns) : {};
    const writer = createWriter(format, process.stdout, layout);
    const meter = createProgress({ quiet: opts.quiet, stats: () => ctx.gateway.stats, total: input.limit });
    const shape = (row: Record<string, unknown>) => {
      const flat = opts.flat || columns ? flatten(row) : row;
      if (!columns) return flat;
      return Object.fromEntries(columns.map((c) => [c, c in row && !opts.flat ? row[c] : flat[c]]));
    };
    for await (const row of runQuery(ctx, input, { concurrency, onPage: (e) => meter.page(e.rows) })) {
      await writer.write(shape(row));
      meter.row();
    }
    await writer.end();
    meter.done();
  });
}
