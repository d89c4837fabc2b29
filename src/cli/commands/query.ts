import type { Command } from 'commander';
import { addConnectionOptions } from '../context.ts';
import { addOutputOptions, searchChoice, streamQuery, type OutputOptions } from './list.ts';

export function register(program: Command): void {
  const command = program
    .command('query')
    .description(
      'Run a SQL query over one entity: SELECT id, email FROM Customer WHERE … ORDER BY created DESC LIMIT 50',
    )
    .argument('<sql>', 'SELECT statement');
  addOutputOptions(command);
  addConnectionOptions(command);
  command.action(async (sql: string, opts: OutputOptions, cmd: Command) => {
    await streamQuery({ sql, allowSearch: searchChoice(cmd) }, opts);
  });
}
