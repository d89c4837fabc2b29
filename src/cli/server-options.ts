/**
 * Options that the server's commands (serve, start, token) share: where the store is, and the
 * listen address. Only commander and the error table are imported: declaring must stay cheap.
 */
import type { Command } from 'commander';
import { ConnectorError } from '../errors.ts';

export interface StoreOptions {
  dataDir?: string;
  store?: string;
}

export function addStoreOptions(command: Command): Command {
  return command
    .option(
      '--data-dir <dir>',
      'the embedded store’s folder (default $STRIPE_CONNECTOR_DATA or ./.stripe-connector)',
    )
    .option('--store <url>', 'a store URL instead: postgres://… or sqlite:PATH');
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function parseLogLevel(value: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConnectorError(
    'INVALID_ARGUMENT',
    `--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`,
    {
      field: '--log-level',
    },
  );
}

/** --port: 0 (any free port) to 65535; undefined when not given. */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConnectorError('INVALID_ARGUMENT', `--port must be a port number (0-65535), got "${value}"`, {
      field: '--port',
    });
  return port;
}

/** A duration in milliseconds: a non-negative integer. */
export function parseMs(value: string, flag = '--emulator-latency'): number {
  const ms = Number(value);
  if (value.trim() === '' || !Number.isInteger(ms) || ms < 0)
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `${flag} must be milliseconds (a non-negative integer), got "${value}"`,
      {
        field: flag,
      },
    );
  return ms;
}

/** --public-url: an http(s) URL Stripe can reach this server at; undefined when not given. */
export function parsePublicUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol))
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `--public-url must be an http(s) URL Stripe can reach this server at, got "${value}"`,
      { field: '--public-url' },
    );
  return value.replace(/\/+$/, '');
}

export const PUBLIC_URL_HELP =
  'the URL Stripe reaches this server at: webhook triggers get an endpoint at <url>/webhooks/<connection> (default: the config’s publicUrl; without one they poll)';
