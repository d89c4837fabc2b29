/**
 * Selects the connection a command talks to: `--connection FILE` (YAML or JSON, secrets as env:/file:
 * references), or else the environment: STRIPE_API_KEY with optional STRIPE_ACCOUNT and
 * STRIPE_API_BASE (e.g. the emulator's URL).
 *
 * The connection, catalog and gateway modules are imported when a command runs, not when the
 * program is declared: `--help` and the catalog commands never pay for the Stripe SDK.
 */
import type { Command } from 'commander';
import type { Connection } from '../connection/load.ts';
import type { ConnectorContext } from '../context.ts';

export interface ConnectionOptions {
  connection?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command.option(
    '--connection <file>',
    'connection file (YAML or JSON); default: STRIPE_API_KEY, STRIPE_ACCOUNT, STRIPE_API_BASE',
  );
}

/** The connection the options (or the environment) select, validated and with secrets resolved. */
export async function connectionFromOptions(opts: ConnectionOptions, env = process.env): Promise<Connection> {
  const { connectionFromEnv, loadConnectionFile } = await import('../connection/load.ts');
  const file = opts.connection ?? env.STRIPE_CONNECTION;
  return file ? loadConnectionFile(file, { env }) : connectionFromEnv(env);
}

export async function contextFromOptions(opts: ConnectionOptions): Promise<ConnectorContext> {
  const connection = await connectionFromOptions(opts);
  const [{ loadCatalog }, { createGatewayFromConnection }] = await Promise.all([
    import('../catalog/index.ts'),
    import('../gateway/index.ts'),
  ]);
  const catalog = loadCatalog();
  const gateway = createGatewayFromConnection(connection, { logThrownErrors: false });
  return { catalog, gateway };
}

/** Runs with the options' context and always closes its gateway (so the process can exit). */
export async function withConnection<T>(
  opts: ConnectionOptions,
  run: (ctx: ConnectorContext) => Promise<T>,
): Promise<T> {
  const ctx = await contextFromOptions(opts);
  try {
    return await run(ctx);
  } finally {
    await ctx.gateway.close();
  }
}
