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
  key: string[];
  accounts?: string;
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
    accounts: await accountTable(f),
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

/** `--accounts FILE` then each `--key sk_test_X=acct_Y` over it; undefined when neither is given. */
async function accountTable(f: EmulatorFlags): Promise<Record<string, string> | undefined> {
  if (!f.accounts && !f.key.length) return undefined;
  const table: Record<string, string> = {};
  if (f.accounts) {
    const { readFile } = await import('node:fs/promises');
    let value: unknown;
    try {
      value = JSON.parse(await readFile(f.accounts, 'utf8'));
    } catch (error) {
      throw bad('--accounts', `cannot read ${f.accounts} as JSON: ${(error as Error).message}`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw bad('--accounts', `${f.accounts} must hold a JSON object of API keys to account ids`);
    Object.assign(table, value);
  }
  for (const pair of f.key) {
    const m = /^((?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9_]+)=(acct_[A-Za-z0-9]+)$/.exec(pair);
    if (!m) throw bad('--key', `expected sk_test_...=acct_..., got "${pair.slice(0, 8)}…"`);
    table[m[1]] = m[2];
  }
  for (const [key, account] of Object.entries(table))
    if (
      !/^(sk|rk|pk)_(test|live)_[A-Za-z0-9_]+$/.test(key) ||
      typeof account !== 'string' ||
      !/^acct_[A-Za-z0-9]+$/.test(account)
    )
      throw bad(
        '--accounts',
        `each entry must be "sk_test_...": "acct_..." (bad entry for ${key.slice(0, 8)}…)`,
      );
  return table;
}
