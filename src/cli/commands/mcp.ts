import type { Command } from 'commander';
import { addConnectionOptions, connectionFromOptions, type ConnectionOptions } from '../context.ts';

interface McpOptions extends ConnectionOptions {
  allowWrites?: boolean;
  allowMoney?: boolean;
  allowLive?: boolean;
  maxRows?: string;
}

export function register(program: Command): void {
  const command = program
    .command('mcp')
    .description('Serve the connector to AI agents over MCP (stdio); read-only unless --allow-writes')
    .option('--allow-writes', 'allow create, update, delete and actions that write')
    .option('--allow-money', 'also allow writes that move money (capture, confirm, refund, pay, payout, …)')
    .option('--allow-live', 'allow a live-mode key (sk_live_/rk_live_)')
    .option('--max-rows <n>', 'most rows one query call returns', '100');
  addConnectionOptions(command).action(async (opts: McpOptions) => {
    // Loaded on use: the SDK is only needed by this command.
    const { serveStdio } = await import('../../mcp/index.ts');
    await serveStdio(await connectionFromOptions(opts), {
      allowWrites: opts.allowWrites,
      allowMoney: opts.allowMoney,
      allowLive: opts.allowLive,
      maxRows: opts.maxRows,
    });
  });
}
