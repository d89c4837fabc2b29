import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { addSearchOptions, parseLimit, searchChoice } from '../options.ts';
import { printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  const command = program
    .command('explain')
    .description(
      'Show the plan of a filter or SQL query: the API calls, what Stripe filters, what is checked locally',
    )
    .argument('<text>', 'a filter (with --entity) or a SELECT statement')
    .option('--entity <entity>', 'the entity a filter applies to')
    .option('--limit <n>', 'row limit')
    .option('--json', 'print JSON');
  addSearchOptions(command).action(
    async (text: string, opts: { entity?: string; limit?: string; json?: boolean }, cmd: Command) => {
      const isSql = /^\s*select\b/i.test(text);
      if (!isSql && !opts.entity)
        throw new ConnectorError(
          'INVALID_ARGUMENT',
          'a filter needs --entity <Entity> (or write a full SELECT … FROM …)',
        );
      const limit = parseLimit(opts.limit);
      const allowSearch = searchChoice(cmd);
      const [{ loadCatalog }, { explain }] = await Promise.all([
        import('../../catalog/index.ts'),
        import('../../query/index.ts'),
      ]);
      const plan = explain(loadCatalog(), {
        ...(isSql ? { sql: text } : { filter: text }),
        entity: opts.entity,
        limit,
        allowSearch,
      });
      if (opts.json) return printJson(plan);
      printTable(
        ['call', 'method', 'path', 'params'],
        plan.calls.map((c) => [c.kind, c.method, c.path, JSON.stringify(c.params)]),
      );
      const lines = [
        `pushed down: ${plan.pushedDown.join(' AND ') || '(nothing)'}`,
        ...(plan.search ? [`search query: ${plan.search}`] : []),
        `residual (local): ${plan.residual ?? '(none)'}`,
        `order: ${plan.order.by.join(', ') || '(none)'} (${plan.order.detail})`,
        `limit: ${plan.limit ?? '(none)'}  offset: ${plan.offset}  page size: ${plan.pageSize}  estimated pages: ${plan.estimatedPages ?? 'depends on data'}`,
        `slicing: ${plan.slicing}`,
        ...plan.notes.map((n) => `note: ${n}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    },
  );
}
