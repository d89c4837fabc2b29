/** `stripe-connector emulator`: the Stripe-compatible API server, until SIGINT/SIGTERM; `emulator trigger`. */
import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { emulatorOptions, parseObject, type EmulatorFlags } from '../emulator-flags.ts';

export function register(program: Command): void {
  const emulator = program
    .command('emulator')
    .description(
      'Run a stateful, Stripe-compatible API server (API 2023-08-16) for offline use, tests and benchmarks.',
    )
    .option('--port <port>', 'port to listen on', '12111')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', "'demo' loads a realistic demo account, 'none' an empty one", 'none')
    .option('--data <file>', 'persist state in this JSON file across restarts')
    .option('--latency <ms[:jitter]>', 'added delay per request, e.g. 50:20')
    .option('--rate-limit <n/s>', 'requests per second per API key before 429 (e.g. 25/s)')
    .option('--faults <spec>', 'fault rates, e.g. 500:0.05,timeout:0.01,drop:0.01,drop-after:0.01,slow:0.02')
    .option('--random-seed <n>', 'seed for faults, latency jitter and ids')
    .option('--webhook-secret <whsec>', 'signing secret for webhook endpoints created without one')
    .option(
      '--key <key=acct>',
      'an API key and the account it belongs to (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--accounts <file>', 'a JSON file {"sk_test_...": "acct_..."} of keys and their accounts')
    .option('--request-log <n>', 'how many recent requests the emulator keeps in memory', '100000')
    .action(async (flags: EmulatorFlags) => {
      const { startEmulator } = await import('../../emulator/index.ts');
      const options = await emulatorOptions(flags);
      const em = await startEmulator(options).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
        throw new ConnectorError('INVALID_ARGUMENT', `cannot listen: ${error.message}`, {
          field: '--port',
          hint: `Pick another port with --port (e.g. --port ${options.port === 12111 ? 12112 : 12111}), or stop what holds it.`,
        });
      });
      process.stdout.write(`Stripe emulator listening on ${em.url}\n`);
      process.stdout.write(
        `Use it with: new Stripe('sk_test_...', { host: '${flags.host}', port: ${em.port}, protocol: 'http' })\n`,
      );
      const { runUntilSignal } = await import('../../lifecycle.ts');
      await runUntilSignal([{ name: 'emulator', start: async () => {}, stop: () => em.close() }]);
    });
  emulator
    .command('trigger <type>')
    .description("Emit a Stripe event of any type on a running emulator (like the Stripe CLI's trigger)")
    .option('--base <url>', 'the emulator (default: STRIPE_API_BASE or http://127.0.0.1:12111)')
    .option('--account <acct>', 'a connected account: the event goes to connect webhook endpoints')
    .option('--object <json>', "the event's data.object, merged over a generated object of the type")
    .option('--json', 'print the event as JSON')
    .action(
      async (type: string, flags: { base?: string; account?: string; object?: string; json?: boolean }) => {
        const { triggerEvent, TriggerError } = await import('../../emulator/control_client.ts');
        const base = flags.base ?? process.env.STRIPE_API_BASE ?? 'http://127.0.0.1:12111';
        const object = flags.object === undefined ? undefined : parseObject(flags.object);
        const event = await triggerEvent(
          base,
          { type, account: flags.account, object },
          process.env.STRIPE_API_KEY,
        ).catch((error: Error) => {
          if (!(error instanceof TriggerError)) throw error;
          if (error.status === 0)
            throw new ConnectorError('CONNECTION_FAILED', error.message, { field: '--base' });
          throw new ConnectorError(
            error.status === 401 ? 'STRIPE_AUTHENTICATION' : 'INVALID_ARGUMENT',
            error.message,
            { field: '<type>' },
          );
        });
        if (flags.json) process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
        else
          process.stdout.write(`${event.id} ${event.type} (${event.pending_webhooks} webhook deliveries)\n`);
      },
    );
}
