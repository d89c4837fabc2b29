/**
 * Selects the connection a command talks to: `--connection FILE` (YAML or JSON, secrets as env:/file:
 * references), or else the environment: STRIPE_API_KEY with optional STRIPE_ACCOUNT and
 * STRIPE_API_BASE (e.g. the emulator's URL).
 */
import type { Command } from 'commander';
import { loadCatalog } from '../catalog/index.ts';
import { createGatewayFromConnection } from '../gateway/index.ts';
import { connectionFromEnv, loadConnectionFile, type Connection } from '../connection/load.ts';
import type { ConnectorContext } from '../context.ts';
import { SHAPES, type Shape } from '../entities/shape.ts';

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
export function connectionFromOptions(opts: ConnectionOptions, env = process.env): Connection {
  const file = opts.connection ?? env.STRIPE_CONNECTION;
  return file ? loadConnectionFile(file, { env }) : connectionFromEnv(env);
}

export async function contextFromOptions(opts: ConnectionOptions): Promise<ConnectorContext> {
  const connection = connectionFromOptions(opts);
  const catalog = loadCatalog();
  const gateway = createGatewayFromConnection(connection, { logThrownErrors: false });
  return { catalog, gateway };
}

/** `--shape` choices of the single-object commands. */
export const SHAPE_CHOICES: Shape[] = SHAPES;
export type { Shape };

/** Commander's repeatable option collector. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Runs with a context and always closes its gateway (so the process can exit). */
export async function withContext<T>(
  ctx: ConnectorContext,
  run: (ctx: ConnectorContext) => Promise<T>,
): Promise<T> {
  try {
    return await run(ctx);
  } finally {
    await ctx.gateway.close();
  }
}
