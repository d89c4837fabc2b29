/** `trigger status|deliveries|dead-letters|redeliver|replay`: what the runner did, and doing it again. */
import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { parseLimit } from '../options.ts';
import { printJson } from '../output.ts';
import { addStoreOptions, printRows, withTriggers, type StoreFlags } from './trigger-store.ts';

const DELIVERY_COLUMNS = ['seq', 'id', 'eventId', 'type', 'status', 'attempts', 'lastError'] as const;
const STATUSES = ['pending', 'running', 'delivered', 'dead', 'discarded'];

/** `2026-01-01`, an ISO time or epoch seconds → epoch seconds. */
function parseTime(value: string, flag: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (Number.isNaN(ms))
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `${flag} must be an ISO time or epoch seconds, got "${value}"`,
      {
        field: flag,
      },
    );
  return Math.floor(ms / 1000);
}

export function register(trigger: Command): void {
  addStoreOptions(
    trigger
      .command('status [name]')
      .description('Per trigger: source, checkpoint, lag, pending, delivered, failed, dead'),
  ).action(async (name: string | undefined, flags: StoreFlags) => {
    const rows = await withTriggers(flags, (s) => s.status(name));
    if (flags.json) return printJson(rows);
    printRows(
      flags,
      rows.map((r) => ({
        ...r,
        checkpoint: r.checkpoint.eventsUpTo ?? '',
        disabled: r.disabled?.reason ?? '',
      })),
      ['name', 'source', 'checkpoint', 'lag', 'pending', 'delivered', 'failed', 'dead', 'disabled'],
    );
  });

  addStoreOptions(
    trigger
      .command('deliveries <name>')
      .description("A trigger's deliveries, oldest first")
      .option('--status <status>', STATUSES.join(', '))
      .option('--limit <n>', 'at most n', '100')
      .option('--after <seq>', 'after this position'),
  ).action(async (name: string, flags: StoreFlags & { status?: string; limit?: string; after?: string }) => {
    if (flags.status && !STATUSES.includes(flags.status))
      throw new ConnectorError('INVALID_ARGUMENT', `--status must be one of ${STATUSES.join(', ')}`, {
        field: '--status',
      });
    const rows = await withTriggers(flags, (s) =>
      s.deliveries(name, {
        status: flags.status as never,
        limit: parseLimit(flags.limit),
        after: flags.after === undefined ? undefined : parseLimit(flags.after),
      }),
    );
    printRows(flags, rows, [...DELIVERY_COLUMNS]);
  });

  addStoreOptions(
    trigger
      .command('dead-letters <name>')
      .description('Deliveries that ran out of attempts or time')
      .option('--limit <n>', 'at most n', '100'),
  ).action(async (name: string, flags: StoreFlags & { limit?: string }) => {
    const rows = await withTriggers(flags, (s) => s.deadLetters(name, parseLimit(flags.limit)));
    printRows(flags, rows, [...DELIVERY_COLUMNS]);
  });

  addStoreOptions(
    trigger
      .command('redeliver <name> <delivery>')
      .description('Queue a dead letter (or a delivered one) again, same delivery id'),
  ).action(async (name: string, delivery: string, flags: StoreFlags) => {
    const row = await withTriggers(flags, (s) => s.redeliver(name, delivery));
    if (flags.json) return printJson(row);
    process.stdout.write(`delivery ${row.id} queued again (a running trigger run delivers it)\n`);
  });

  addStoreOptions(
    trigger
      .command('replay <name>')
      .description('Deliver again every event of a time window (same delivery ids, so receivers can dedup)')
      .requiredOption('--from <time>', 'window start (ISO time or epoch seconds), inclusive')
      .option('--to <time>', 'window end, exclusive (default: now)'),
  ).action(async (name: string, flags: StoreFlags & { from: string; to?: string }) => {
    const window = {
      from: parseTime(flags.from, '--from'),
      to: flags.to ? parseTime(flags.to, '--to') : Math.ceil(Date.now() / 1000) + 1,
    };
    const result = await withTriggers(flags, (s) => s.replay(name, window));
    if (flags.json) return printJson(result);
    process.stdout.write(`${result.replayed} deliveries queued again\n`);
  });
}
