/**
 * `npm start`: the server on 127.0.0.1 with the embedded store and a connection named `demo` to an
 * in-process emulator with demo data (or to real Stripe when STRIPE_API_KEY is set), until Ctrl-C.
 * Prints the console, docs and token lines, the emulator's URL and the MCP client config.
 */
import type { Command } from 'commander';
import { printJson } from '../output.ts';
import {
  addStoreOptions,
  parseLogLevel,
  parseMs,
  parsePort,
  parsePublicUrl,
  PUBLIC_URL_HELP,
  type StoreOptions,
} from '../server-options.ts';

interface StartOptions extends StoreOptions {
  port: string;
  host: string;
  emulatorPort: string;
  emulatorLatency: string;
  logLevel: string;
  publicUrl?: string;
  config?: string;
  json?: boolean;
}

type DemoInfo = import('../../server/demo.ts').DemoInfo;

const FILTER = encodeURIComponent("email = 'john.smith@example.com'").replace(/'/g, '%27');

function printLines(info: DemoInfo): void {
  const auth = `-H "Authorization: Bearer ${info.token}"`;
  const lines = [
    info.target === 'emulator'
      ? `stripe-connector: connection "demo" on the Stripe emulator with demo data`
      : `stripe-connector: connection "demo" on Stripe with STRIPE_API_KEY`,
    `console: ${info.console}`,
    `docs: ${info.docs}`,
    `token: ${info.token}`,
    ...(info.emulator ? [`emulator: ${info.emulator}`] : []),
    `mcp: ${info.mcpUrl} (HTTP; send the token as a Bearer)`,
    `trigger: ${info.trigger.name} (each new customer → ${info.trigger.file}; see the console's Triggers page)`,
    '',
    `The token is an admin token kept for this demo in ${info.tokenFile} (0600); for other tokens: stripe-connector token create --scope read`,
    'Try:',
    `  curl ${auth} '${info.url}/api/connections/demo/entities/Customer?filter=${FILTER}'`,
    `  curl ${auth} '${info.url}/api/connections/demo/entities/Customer?limit=3&format=csv'`,
    '',
    'MCP client config (stdio), for Claude Desktop, Cursor, VS Code:',
    JSON.stringify(info.mcp, null, 2),
    '',
    'Stop with Ctrl-C.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const command = program
    .command('start')
    .description(
      'Run the server with a demo connection (emulator with demo data, or STRIPE_API_KEY) until Ctrl-C',
    )
    .option('--port <port>', 'server port (0: any free port)', '8080')
    .option('--host <host>', 'server address', '127.0.0.1')
    .option('--emulator-port <port>', 'the demo emulator’s port (0: any free port)', '0')
    .option('--emulator-latency <ms>', 'latency the demo emulator adds to every answer', '0')
    .option('--public-url <url>', PUBLIC_URL_HELP)
    .option(
      '--config <file>',
      'a server config (YAML/JSON) beside the demo: grants, destinations, connections',
    )
    .option('--log-level <level>', 'log level of the JSON log on stderr', 'warn')
    .option('--json', 'print where to look as one JSON object instead of the lines');
  addStoreOptions(command).action(async (opts: StartOptions) => {
    const port = parsePort(opts.port);
    const emulatorPort = parsePort(opts.emulatorPort);
    const level = parseLogLevel(opts.logLevel);
    const emulatorLatencyMs = parseMs(opts.emulatorLatency);
    const [{ demoServices }, { runUntilSignal }, pino] = await Promise.all([
      import('../../server/demo.ts'),
      import('../../lifecycle.ts'),
      import('pino'),
    ]);
    const services = demoServices(
      {
        host: opts.host,
        port,
        emulatorPort,
        emulatorLatencyMs,
        dataDir: opts.dataDir,
        storeUrl: opts.store,
        configFile: opts.config,
        publicUrl: parsePublicUrl(opts.publicUrl),
        log: { level, stream: pino.destination(2) },
      },
      (info) => (opts.json ? printJson(info) : printLines(info)),
    );
    await runUntilSignal(services, { log: (line) => process.stderr.write(`stripe-connector: ${line}\n`) });
  });
}
