/** The `emulator` command's flags, each checked so a mistake exits 2 naming the flag. */
import { ConnectorError } from '../errors.ts';
import type { EmulatorOptions } from '../emulator/index.ts';

export interface EmulatorFlags {
  port: string;
  host: string;
  seed: string;
  data?: string;
  latency?: string;
  rateLimit?: string;
  faults?: string;
  randomSeed?: string;
  webhookSecret?: string;
  requestLog: string;
}

export function bad(flag: string, message: string): ConnectorError {
  return new ConnectorError('INVALID_ARGUMENT', `${flag}: ${message}`, { field: flag });
}

/** Options for startEmulator from the flags; a bad flag is INVALID_ARGUMENT naming it. */
export async function emulatorOptions(f: EmulatorFlags): Promise<EmulatorOptions> {
  const { parseFaults, parseLatency, parseRateLimit } = await import('../emulator/index.ts');
  const integer = (flag: string, text: string, min: number, max: number): number => {
    const n = Number(text);
    if (!/^\s*\d+\s*$/.test(text) || n < min || n > max)
      throw bad(flag, `must be an integer from ${min} to ${max}, not "${text}"`);
    return n;
  };
  const parsed = <T>(flag: string, parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      throw bad(flag, (error as Error).message);
    }
  };
  if (f.seed !== 'demo' && f.seed !== 'none') throw bad('--seed', `must be demo or none, not "${f.seed}"`);
  return {
    port: integer('--port', f.port, 0, 65535),
    host: f.host,
    seed: f.seed,
    dataFile: f.data,
    latency: f.latency === undefined ? undefined : parsed('--latency', () => parseLatency(f.latency!)),
    rateLimit:
      f.rateLimit === undefined ? undefined : parsed('--rate-limit', () => parseRateLimit(f.rateLimit!)),
    faults: f.faults === undefined ? undefined : parsed('--faults', () => parseFaults(f.faults)),
    randomSeed:
      f.randomSeed === undefined ? undefined : integer('--random-seed', f.randomSeed, 0, 2 ** 31 - 1),
    webhookSecret: f.webhookSecret,
    maxRecordedRequests: integer('--request-log', f.requestLog, 0, 10_000_000),
  };
}

export function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw bad('--object', 'must be a JSON object, e.g. \'{"amount": 500}\'');
}
