import type { Command } from 'commander';
import { parseLimit, searchChoice } from '../options.ts';
import { addRowOptions, streamQuery, type RowOptions } from '../rows.ts';

export function register(program: Command): void {
  const command = program
    .command('list')
    .description(
      "List an entity, optionally filtered: --filter \"email = 'jane@example.com' AND created >= '2024-01-01'\"",
    )
    .argument('<entity>', 'entity name (Customer, PaymentIntent, …)')
    .option('--filter <clause>', 'SQL WHERE condition; values in single quotes')
    .option('--limit <n>', 'stop after n rows');
  addRowOptions(command).action(
    async (entity: string, opts: RowOptions & { filter?: string; limit?: string }, cmd: Command) => {
      const limit = parseLimit(opts.limit);
      await streamQuery({ entity, filter: opts.filter, limit, allowSearch: searchChoice(cmd) }, opts);
    },
  );
}
