import type { Command } from 'commander';

const DEMO_KEY = 'sk_test_demo';

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
    .action(async (opts: { port: string; host: string }) => {
      if (process.env.STRIPE_API_KEY && !process.env.STRIPE_API_BASE) {
        await targetRealStripe();
        return;
      }
      const { startEmulator } = await import('../../emulator/index.ts');
      const emulator = await startEmulator({ port: Number(opts.port), host: opts.host, seed: 'demo' });
      const env = `STRIPE_API_KEY=${DEMO_KEY} STRIPE_API_BASE=${emulator.url}`;
      const lines = [
        `stripe-connector: Stripe emulator with a demo account at ${emulator.url} (API 2023-08-16)`,
        '',
        'Try, in another terminal:',
        `  npx stripe-connector entities`,
        `  npx stripe-connector describe PaymentIntent`,
        `  ${env} npx stripe-connector list Customer --limit 5 --format table`,
        `  ${env} npx stripe-connector explain "email = 'jane@example.com'" --entity Customer`,
        `  ${env} npx stripe-connector create PaymentIntent --payload '{"PaymentMethod":"pm_card_visa","Currency":"usd","Amount":1500.0}' --shape seed`,
        `  ${env} npx stripe-connector action ConfirmPaymentIntent --payload '{"PaymentIntentId":"pi_...","ReturnUrl":"https://example.com"}' --shape seed`,
        `  curl -s -u ${DEMO_KEY}: ${emulator.url}/v1/customers?limit=3`,
        '',
        'Real Stripe instead: STRIPE_API_KEY=sk_test_... npm start.  Stop with Ctrl-C.',
      ];
      process.stdout.write(lines.join('\n') + '\n');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await emulator.close();
    });
}

async function targetRealStripe(): Promise<void> {
  const { contextFromOptions } = await import('../context.ts');
  const { fetchAccount } = await import('../../gateway/account.ts');
  const ctx = await contextFromOptions({});
  const account = await fetchAccount(ctx.gateway);
  process.stdout.write(
    [
      `stripe-connector: connected to Stripe account ${account.id} (${ctx.gateway.mode} mode, API ${ctx.gateway.apiVersion})`,
      '',
      'Try:',
      '  npx stripe-connector list Customer --limit 5 --format table',
      '  npx stripe-connector describe PaymentIntent',
    ].join('\n') + '\n',
  );
  await ctx.gateway.close();
}
