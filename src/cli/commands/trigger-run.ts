/** `trigger run [names...]`: the sources and the dispatcher in the foreground until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { addConnectionOptions, contextFromOptions, type ConnectionOptions } from '../context.ts';
import { addStoreOptions, type StoreFlags } from './trigger-store.ts';

interface RunFlags extends StoreFlags, ConnectionOptions {
  listen?: string;
  publicUrl?: string;
  verbose?: boolean;
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535)
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `--listen must be HOST:PORT (127.0.0.1:8787), got "${value}"`,
      {
        field: '--listen',
      },
    );
  return { host: m[1], port: Number(m[2]) };
}

export function register(trigger: Command): void {
  addConnectionOptions(
    addStoreOptions(
      trigger
        .command('run [names...]')
        .description(
          'Run the triggers (all, or those named): sources and delivery, until Ctrl-C; triggers added, changed or removed meanwhile are picked up',
        )
        .option('--listen <host:port>', 'receive Stripe webhooks here (127.0.0.1:8787)')
        .option(
          '--public-url <url>',
          'the URL Stripe calls (creates/updates the webhook endpoint); without it, webhook triggers poll',
        )
        .option('--verbose', 'print every delivery, retry and dead letter to stderr'),
    ),
  ).action(async (names: string[], flags: RunFlags) => {
    const listen = flags.listen ? parseListen(flags.listen) : undefined;
    if (flags.publicUrl && !listen)
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        '--public-url needs --listen (where the calls to it arrive)',
        {
          field: '--public-url',
        },
      );
    const [{ openStore }, { runTriggers }] = await Promise.all([
      import('../../store/index.ts'),
      import('../../triggers/runner.ts'),
    ]);
    const ctx = await contextFromOptions(flags);
    const store = await openStore({ dataDir: flags.dataDir, url: flags.store });
    const log = (line: string) => process.stderr.write(`${line}\n`);
    try {
      await runTriggers({
        store,
        ctx,
        names,
        listen,
        publicUrl: flags.publicUrl,
        log,
        // Dead letters, a disabled sink and store failures are logged anyway; --verbose adds the rest.
        onNotice: flags.verbose ? (n) => log(JSON.stringify(n)) : undefined,
        onStarted: ({ triggers, webhookUrl }) =>
          log(
            flags.json
              ? JSON.stringify({ running: triggers, webhookUrl: webhookUrl ?? null, store: store.location })
              : `running ${triggers.length} trigger(s): ${triggers.join(', ') || '(none yet: one added meanwhile starts here)'}; store ${store.location}${webhookUrl ? `; webhooks on ${webhookUrl}` : ''}`,
          ),
      });
    } finally {
      await store.close();
      await ctx.gateway.close();
    }
  });
}
