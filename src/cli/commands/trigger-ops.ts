/** `trigger status|deliveries|dead-letters|redeliver|replay`: what the runner did, and doing it again. */
import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { parseLimit } from '../options.ts';
import { printJson } from '../output.ts';
import type { DeliveryPage } from '../../triggers/service.ts';
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

interface PageFlags extends StoreFlags {
  limit?: string;
  before?: string;
  after?: string;
  order?: string;
}

function pageOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'at most n', '100')
    .option('--before <seq|id>', 'only older ones than this delivery (the next page: the last seq shown)')
    .option('--after <seq|id>', 'only newer ones than this delivery')
    .option('--order <order>', 'desc (newest first) or asc (oldest first)', 'desc');
}

/** A page cursor: a seq (digits) or a delivery id (dlv_…). */
function parseCursor(value: string | undefined, flag: string): number | string | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^dlv_[\w-]+$/.test(value)) return value;
  throw new ConnectorError(
    'INVALID_ARGUMENT',
    `${flag} must be a seq (digits) or a delivery id (dlv_…), got "${value}"`,
    {
      field: flag,
    },
  );
}

function pageOf(flags: PageFlags): DeliveryPage {
  if (flags.order !== undefined && flags.order !== 'asc' && flags.order !== 'desc')
    throw new ConnectorError('INVALID_ARGUMENT', `--order must be asc or desc, got "${flags.order}"`, {
      field: '--order',
    });
  return {
    limit: parseLimit(flags.limit),
    before: parseCursor(flags.before, '--before'),
    after: parseCursor(flags.after, '--after'),
    order: flags.order as DeliveryPage['order'],
  };
}

export function register(trigger: Command): void {
  addStoreOptions(
    trigger
      .command('status [name]')
      .description(
        'Per trigger: source, state (active, failing, disabled) and why, checkpoint, lag, pending, delivered, failed, dead',
      ),
  ).action(async (name: string | undefined, flags: StoreFlags) => {
    const rows = await withTriggers(flags, (s) => s.status(name));
    if (flags.json) return printJson(rows);
    printRows(
      flags,
      rows.map((r) => ({
        ...r,
        checkpoint: r.checkpoint.eventsUpTo ?? '',
        why: (r.disabled ?? r.failing)?.reason ?? '',
      })),
      ['name', 'source', 'state', 'checkpoint', 'lag', 'pending', 'delivered', 'failed', 'dead', 'why'],
    );
  });

  addStoreOptions(
    pageOptions(
      trigger
        .command('deliveries <name>')
        .description("A trigger's deliveries, newest first (--order asc: oldest first)")
        .option('--status <status>', STATUSES.join(', ')),
    ),
  ).action(async (name: string, flags: PageFlags & { status?: string }) => {
    if (flags.status && !STATUSES.includes(flags.status))
      throw new ConnectorError('INVALID_ARGUMENT', `--status must be one of ${STATUSES.join(', ')}`, {
        field: '--status',
      });
    const page = pageOf(flags);
    const rows = await withTriggers(flags, (s) =>
      s.deliveries(name, { ...page, status: flags.status as never }),
    );
    printRows(flags, rows, [...DELIVERY_COLUMNS]);
  });

  addStoreOptions(
    pageOptions(
      trigger
        .command('dead-letters <name>')
        .description('Deliveries that ran out of attempts or time, newest first'),
    ),
  ).action(async (name: string, flags: PageFlags) => {
    const page = pageOf(flags);
    const rows = await withTriggers(flags, (s) => s.deadLetters(name, page));
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
