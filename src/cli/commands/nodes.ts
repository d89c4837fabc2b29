/** `stripe-connector nodes`: the live nodes sharing a store, what each holds, the budgets in use. */
import type { Command } from 'commander';
import { printJson, printTable } from '../output.ts';

export function register(program: Command): void {
  program
    .command('nodes')
    .description('List the live nodes on a store (scale-out): their leases and the rate budgets they use')
    .option(
      '--store <url>',
      "the nodes' store, e.g. postgres://… (default: STRIPE_CONNECTOR_STORE, else the data directory)",
    )
    .option('--data-dir <dir>', 'the data directory (SQLite store) when no --store is given')
    .option('--json', 'print JSON')
    .action(async (flags: { store?: string; dataDir?: string; json?: boolean }) => {
      const { listCluster, storeUrlFrom } = await import('../../cluster/index.ts');
      const url = storeUrlFrom(flags.store);
      const listing = await listCluster({
        ...(url ? { url } : {}),
        ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      });
      if (flags.json) return printJson(listing);
      if (!listing.nodes.length) {
        process.stdout.write(`no live nodes on ${listing.store}\n`);
        return;
      }
      printTable(
        ['NODE', 'HOST', 'PID', 'UP', 'SEEN', 'LEASES', 'BUDGETS'],
        listing.nodes.map((n) => [
          n.id,
          n.host,
          n.pid,
          `${Math.round((n.heartbeatAt - n.startedAt) / 1000)}s`,
          `${(n.age / 1000).toFixed(1)}s ago`,
          n.leases.join(', ') || '-',
          n.budgets.map(describeBudget).join('; ') || '-',
        ]),
      );
    });
}

function describeBudget(b: {
  key: string;
  shared: boolean;
  limits: Array<{ limit: number; intervalMs: number }>;
  acquired: number;
}): string {
  const limits = b.limits.map((l) =>
    l.intervalMs === 1000 ? `${l.limit}/s` : `${l.limit}/${l.intervalMs / 1000}s`,
  );
  return `${b.key} ${limits.join('+')}${b.shared ? ' shared' : ''} (${b.acquired} calls)`;
}
