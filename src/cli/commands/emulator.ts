/** `stripe-connector emulator`: the Stripe-compatible API server, until SIGINT/SIGTERM. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('emulator')
    .description(
      'Run a stateful, Stripe-compatible API server (API 2023-08-16) for offline use, tests and benchmarks.',
    )
    .option('--port <port>', 'port to listen on', '12111')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', "'demo' loads a realistic demo account", 'none')
    .option('--data <file>', 'persist state in this JSON file across restarts')
    .option('--latency <ms[:jitter]>', 'added delay per request, e.g. 50:20')
    .option('--rate-limit <n/s>', 'requests per second per API key before 429 (e.g. 25/s)')
    .option('--faults <spec>', 'fault rates, e.g. 500:0.05,timeout:0.01,drop:0.01,slow:0.02')
    .option('--random-seed <n>', 'seed for faults, latency jitter and ids')
    .option('--webhook-secret <whsec>', 'signing secret for webhook endpoints created without one')
    .action(async (opts) => {
      // Imported when the command runs: declaring the program must stay cheap.
      const [{ parseFaults, parseLatency, startEmulator }, { runUntilSignal }] = await Promise.all([
        import('../../emulator/index.ts'),
        import('../../lifecycle.ts'),
      ]);
      if (opts.seed !== 'demo' && opts.seed !== 'none')
        throw new Error(`--seed must be demo or none, not "${opts.seed}"`);
      const emulator = await startEmulator({
        port: Number(opts.port),
        host: opts.host,
        seed: opts.seed,
        dataFile: opts.data,
        latency: opts.latency ? parseLatency(opts.latency) : undefined,
        rateLimit: opts.rateLimit ? Number(String(opts.rateLimit).replace(/\/s$/, '')) : undefined,
        faults: opts.faults ? parseFaults(opts.faults) : undefined,
        randomSeed: opts.randomSeed === undefined ? undefined : Number(opts.randomSeed),
        webhookSecret: opts.webhookSecret,
      });
      process.stdout.write(`Stripe emulator listening on ${emulator.url}\n`);
      process.stdout.write(
        `Use it with: new Stripe('sk_test_...', { host: '${opts.host}', port: ${emulator.port}, protocol: 'http' })\n`,
      );
      await runUntilSignal([{ name: 'emulator', start: async () => {}, stop: () => emulator.close() }]);
    });
}
