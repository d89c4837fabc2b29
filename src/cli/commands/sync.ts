import type { Command } from 'commander';
import type { SyncEvent, SyncFailure, SyncSummary } from '../../sync/index.ts';
import { redact } from '../../connection/redact.ts';
import { addConnectionOptions, type ConnectionOptions } from '../context.ts';
import { printJson, printTable } from '../output.ts';
import { ConnectorError } from '../../errors.ts';

interface SyncOptions extends ConnectionOptions {
  to?: string;
  entities?: string;
  accounts?: string;
  once?: boolean;
  json?: boolean;
  quiet?: boolean;
  concurrency?: string;
  name?: string;
}

const list = (v = '') => v.split(/\s*,\s*/).filter(Boolean);

function parseConcurrency(value?: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new ConnectorError('INVALID_ARGUMENT', `--concurrency must be 1-64, got "${value}"`, {
      field: '--concurrency',
    });
  return n;
}

/** `sync`: mirror entities into SQL; `sync status`: what the mirror holds. */
export function register(program: Command): void {
  const sync = program
    .command('sync')
    .description('Mirror entities into SQL tables: backfill, then follow events (until stopped, or --once)')
    .option('--to <url>', 'target database: sqlite:./stripe.db or postgres://…[?schema=name] (required)')
    .option('--entities <names>', 'comma-separated entities: Customer,Invoice,PaymentIntent')
    .option(
      '--accounts <which>',
      'platform (default), all (every connected account) or acct_… ids, comma-separated',
    )
    .option('--once', 'backfill (or catch up from the checkpoints) and exit')
    .option('--concurrency <n>', 'concurrent backfill slices (default 16), within the rate budget')
    .option('--name <name>', 'several syncs can share a target under different names', 'default')
    .option('--json', 'one JSON line per progress event, then the summary')
    .option('--quiet', 'no progress line on a terminal');
  addConnectionOptions(sync).action(async (opts: SyncOptions) => {
    const concurrency = parseConcurrency(opts.concurrency);
    if (!opts.to) throw new ConnectorError('INVALID_ARGUMENT', '--to is required', { field: '--to' });
    const [{ withConnection }, { runSync, progressText, failureLines }, { runUntilSignal }] =
      await Promise.all([
        import('../context.ts'),
        import('../../sync/index.ts'),
        import('../../lifecycle.ts'),
      ]);
    await withConnection(opts, async (ctx) => {
      const draw = progressLine(opts, progressText);
      const run = (signal?: AbortSignal) =>
        runSync(ctx, {
          to: opts.to!,
          entities: list(opts.entities),
          accounts: opts.accounts ? list(opts.accounts) : undefined,
          once: opts.once,
          concurrency,
          name: opts.name,
          signal,
          onEvent: draw,
        });
      if (opts.once) return printSummary(await run(), opts, failureLines);
      const stop = new AbortController();
      let running: ReturnType<typeof run> | undefined;
      const ended = new AbortController();
      const service = {
        name: 'sync',
        start: async () => {
          running = run(stop.signal);
          running.catch(() => {}).finally(() => ended.abort());
        },
        stop: async () => {
          stop.abort();
          await running?.catch(() => {});
        },
      };
      await runUntilSignal([service], { signal: ended.signal });
      printSummary(await running!, opts, failureLines);
    });
  });
  // `--to`, `--name` and `--json` are the parent's options too: commander hands them to it.
  sync
    .command('status')
    .description('Per entity: rows, tombstones, backfill progress, last event applied and its lag')
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ to?: string; name: string; json?: boolean }>();
      if (!opts.to) throw new ConnectorError('INVALID_ARGUMENT', '--to is required', { field: '--to' });
      const { syncStatus, statusTable } = await import('../../sync/index.ts');
      const status = await syncStatus(opts.to, opts.name);
      if (opts.json) return printJson(status);
      if (!status.entities.length) return void process.stdout.write(`no sync in ${status.target} yet\n`);
      const { head, rows } = statusTable(status);
      printTable(head, rows);
    });
}

function progressLine(opts: SyncOptions, text: (e: SyncEvent) => string | undefined): (e: SyncEvent) => void {
  const tty = Boolean(process.stderr.isTTY) && !opts.quiet && !opts.json;
  let last = 0;
  return (e) => {
    if (opts.json) return void process.stdout.write(JSON.stringify(e) + '\n');
    const line = tty ? text(e) : undefined;
    // A finished entity, or a failure, keeps its line; progress overwrites the last one.
    const done = (e.kind === 'backfill' && e.done) || e.kind === 'failed';
    if (!line || (Date.now() - last < 200 && !done)) return;
    last = Date.now();
    process.stderr.write(`\r${line}\x1b[K${done ? '\n' : ''}`);
  };
}

/** The summary; a line per entity still failing (stderr) and exit code 1 when there is one. */
function printSummary(summary: SyncSummary, opts: SyncOptions, failureLines: (f: SyncFailure[]) => string[]) {
  if (opts.json) printJson({ kind: 'summary', ...summary });
  else {
    const line = `synced ${summary.backfill.length} tables; ${summary.applied} events applied in ${summary.polls} polls`;
    process.stdout.write(line + '\n');
  }
  if (!summary.failed.length) return;
  process.stderr.write(redact(failureLines(summary.failed).join('\n')) + '\n');
  process.exitCode = 1;
}
