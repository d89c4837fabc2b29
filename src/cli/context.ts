/**
 * Selects the connection a command talks to: `--connection FILE`, or STRIPE_API_KEY with optional
 * STRIPE_ACCOUNT and STRIPE_API_BASE (e.g. the emulator's URL).
 */
import type { Command } from 'commander';
import { loadCatalog } from '../catalog/index.ts';
import { createGateway } from '../gateway/index.ts';
import { ConnectorError } from '../errors.ts';
import type { ConnectorContext } from '../context.ts';

export interface ConnectionOptions {
  connection?: string;
}

export function addConnectionOptions(command: Command): Command {
  return command.option(
    '--connection <file>',
    'connection file (YAML or JSON); default: STRIPE_API_KEY etc.',
  );
}

export async function contextFromOptions(_opts: ConnectionOptions): Promise<ConnectorContext> {
  const apiKey = process.env.STRIPE_API_KEY;
  if (!apiKey) {
    throw new ConnectorError(
      'SECRET_UNRESOLVED',
      'no API key: set STRIPE_API_KEY or pass --connection FILE',
      {
        hint: 'e.g. STRIPE_API_KEY=sk_test_... STRIPE_API_BASE=http://127.0.0.1:12111 (the emulator)',
      },
    );
  }
  const catalog = loadCatalog();
  const gateway = createGateway({
    apiKey,
    baseUrl: process.env.STRIPE_API_BASE,
    accountId: process.env.STRIPE_ACCOUNT,
    apiVersion: catalog.apiVersion,
  });
  return { catalog, gateway };
}
