/**
 * The connection's log. Two knobs, as in the seed: `level` (minimum severity) and `verbosity` (how
 * much of the traffic is shown: 1 errors, 2 warnings such as retries, 3 one line per request and
 * throttle waits, 4 request parameters, 5 full headers, bodies and TLS details). A line is written
 * when both allow it. Every line goes through the connection's redactor just before it is written,
 * so no caller can forget to redact.
 */
import { createRedactor, type Redactor } from './redact.ts';
import type { LogLevel } from './load.ts';

export type LogSink = (line: string) => void;
export type Tier = 1 | 2 | 3 | 4 | 5;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LoggerOptions {
  name?: string;
  enabled?: boolean;
  level?: LogLevel;
  verbosity?: number;
  /** Where lines go; default stderr (stdout belongs to command output). */
  sink?: LogSink;
  /** Values to remove from every line, whatever they look like. */
  secrets?: Array<string | undefined>;
  redactor?: Redactor;
}

export interface Logger {
  readonly verbosity: number;
  readonly redact: Redactor;
  /** Cheap check before building an expensive line (bodies, headers). */
  wants(tier: Tier, level: LogLevel): boolean;
  log(tier: Tier, level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const enabled = options.enabled ?? true;
  const verbosity = Math.min(5, Math.max(1, options.verbosity ?? 1));
  const level = options.level ?? (verbosity >= 3 ? 'debug' : 'error');
  const sink: LogSink = options.sink ?? ((line) => process.stderr.write(line + '\n'));
  const redactor = options.redactor ?? createRedactor();
  redactor.add(...(options.secrets ?? []));
  const tag = options.name ? ` [${options.name}]` : '';

  const wants = (tier: Tier, lvl: LogLevel) => enabled && tier <= verbosity && RANK[lvl] >= RANK[level];
  const log = (tier: Tier, lvl: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (!wants(tier, lvl)) return;
    let line = `${new Date().toISOString()} ${lvl.toUpperCase()}${tag} ${message}`;
    if (fields && Object.keys(fields).length) line += ' ' + safeJson(fields);
    sink(redactor(line));
  };
  return {
    verbosity,
    redact: redactor,
    wants,
    log,
    error: (m, f) => log(1, 'error', m, f),
    warn: (m, f) => log(2, 'warn', m, f),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
  } catch {
    return '[unserializable]';
  }
}
