/**
 * `serve`: the HTTP server on the store (src/server/service.ts) until SIGINT/SIGTERM. The first
 * start prints the admin token, once; later starts say how to make another. The server runs the
 * store's triggers (`--no-triggers`: only their routes, `trigger run` runs them elsewhere).
 */
import type { Command } from 'commander';
import {
  addStoreOptions,
  parseLogLevel,
  parsePort,
  parsePublicUrl,
  PUBLIC_URL_HELP,
  type StoreOptions,
} from '../server-options.ts';

interface ServeOptions extends StoreOptions {
  config?: string;
  host?: string;
  port?: string;
  publicUrl?: string;
  triggers: boolean;
  logLevel: string;
}

export function register(program: Command): void {
  const command = program
    .command('serve')
    .description('Run the HTTP server (REST API, OpenAPI at /docs, MCP at /mcp) until Ctrl-C')
    .option(
      '--config <file>',
      'server config (YAML/JSON): listen, dataDir or storeUrl, connections, limits, mcp',
    )
    .option('--host <host>', 'listen address (default: the config’s, else 127.0.0.1)')
    .option('--port <port>', 'listen port (default: the config’s, else 8080)')
    .option('--public-url <url>', PUBLIC_URL_HELP)
    .option('--no-triggers', 'do not run the store’s triggers here (their routes stay)')
    .option('--log-level <level>', 'log level of the JSON log on stderr', 'info');
  addStoreOptions(command).action(async (opts: ServeOptions) => {
    const port = parsePort(opts.port);
    const level = parseLogLevel(opts.logLevel);
    const publicUrl = parsePublicUrl(opts.publicUrl);
    const [{ serverService }, { runUntilSignal }, pino] = await Promise.all([
      import('../../server/service.ts'),
      import('../../lifecycle.ts'),
      import('pino'),
    ]);
    const service = serverService(
      {
        configFile: opts.config,
        host: opts.host,
        port,
        dataDir: opts.dataDir,
        storeUrl: opts.store,
        publicUrl,
        runTriggers: opts.triggers,
        log: { level, stream: pino.destination(2) },
      },
      ({ server, token }) => {
        const lines = [`server: ${server.url}/`, `docs: ${server.url}/docs`];
        lines.push(
          token
            ? `token: ${token}  (admin; shown once: keep it)`
            : 'token: an admin token exists already; make another with: stripe-connector token create --scope admin',
        );
        process.stdout.write(lines.join('\n') + '\n');
      },
    );
    await runUntilSignal([service], { log: (line) => process.stderr.write(`stripe-connector: ${line}\n`) });
  });
}
