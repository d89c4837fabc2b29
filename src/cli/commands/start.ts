import type { Command } from 'commander';
import { ConnectorError } from '../../errors.ts';
import { printJson } from '../output.ts';

const DEMO_KEY = 'sk_test_demo';

interface StartOptions {
  port: string;
  host: string;
  json?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConnectorError('INVALID_ARGUMENT', `--port must be a port number (0-65535), got "${value}"`, {
      field: '--port',
    });
  return port;
}

/**
 * `npm start`: with STRIPE_API_KEY set, checks the connection to Stripe; otherwise starts the
 * built-in emulator with a demo account and prints commands to try against it.
 */
export function register(program: Command): void {
  program
    .command('start')
    .description('Start the connector on embedded defaults (emulator with demo data) and print where to look')
    .option('--port <port>', 'emulator port', '12111')
    .option('--host <host>', 'emulator host', '127.0.0.1')
    .option('--json', 'print where to look as JSON ({"url", "env"}) instead of the commands to try')
    .action(async (opts: StartOptions) => {
      if (process.env.STRIPE_API_KEY && !process.env.STRIPE_API_BASE) {
        await targetRealStripe(opts);
        return;
      }
      const port = parsePort(opts.port);
      const [{ startEmulator }, { runUntilSignal, listenError }] = await Promise.all([
        import('../../emulator/index.ts'),
        import('../../lifecycle.ts'),
      ]);
      let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
      const service = {
        name: 'emulator',
        async start() {
          try {
            emulator = await startEmulator({ port, host: opts.host, seed: 'demo' });
          } catch (error) {
            throw listenError(error, { port, host: opts.host });
          }
        },
        stop: async () => emulator?.close(),
      };
      await runUntilSignal([service], { onStarted: () => printTryLines(emulator!.url, opts) });
    });
}

function printTryLines(url: string, opts: StartOptions): void {
  const env = `STRIPE_API_KEY=${DEMO_KEY} STRIPE_API_BASE=${url}`;
  if (opts.json)
    return printJson({
      url,
      apiVersion: '2023-08-16',
      env: { STRIPE_API_KEY: DEMO_KEY, STRIPE_API_BASE: url },
    });
  const lines = [
    `stripe-connector: Stripe emulator with a demo account at ${url} (API 2023-08-16)`,
    '',
    'Try, in another terminal:',
    `  npx stripe-connector entities`,
    `  npx stripe-connector describe PaymentIntent`,
    `  ${env} npx stripe-connector list Customer --limit 5 --format table`,
    `  ${env} npx stripe-connector explain "email = 'jane@example.com'" --entity Customer`,
    `  ${env} npx stripe-connector create PaymentIntent --payload '{"PaymentMethod":"pm_card_visa","Currency":"usd","Amount":1500.0}' --shape seed`,
    `  ${env} npx stripe-connector action ConfirmPaymentIntent --payload '{"PaymentIntentId":"pi_...","ReturnUrl":"https://example.com"}' --shape seed`,
    `  curl -s -u ${DEMO_KEY}: ${url}/v1/customers?limit=3`,
    '',
    'Real Stripe instead: STRIPE_API_KEY=sk_test_... npm start.  Stop with Ctrl-C.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

async function targetRealStripe(opts: StartOptions): Promise<void> {
  const [{ withConnection }, { fetchAccount }] = await Promise.all([
    import('../context.ts'),
    import('../../gateway/account.ts'),
  ]);
  await withConnection({}, async (ctx) => {
    const account = await fetchAccount(ctx.gateway);
    const info = { account: account.id, mode: ctx.gateway.mode, apiVersion: ctx.gateway.apiVersion };
    if (opts.json) return printJson(info);
    process.stdout.write(
      [
        `stripe-connector: connected to Stripe account ${info.account} (${info.mode} mode, API ${info.apiVersion})`,
        '',
        'Try:',
        '  npx stripe-connector list Customer --limit 5 --format table',
        '  npx stripe-connector describe PaymentIntent',
      ].join('\n') + '\n',
    );
  });
}
