import type { Command } from 'commander';
import { searchChoice } from '../options.ts';
import { addRowOptions, streamQuery, type RowOptions } from '../rows.ts';

export function register(program: Command): void {
  const command = program
    .command('query')
    .description(
      'Run a SQL query over one entity: SELECT id, email FROM Customer WHERE … ORDER BY created DESC LIMIT 50',
    )
    .argument('<sql>', 'SELECT statement');
  addRowOptions(command).action(async (sql: string, opts: RowOptions, cmd: Command) => {
    await streamQuery({ sql, allowSearch: searchChoice(cmd) }, opts);
  });
}
