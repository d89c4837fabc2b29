/**
 * What every `trigger` command shares: the store options (`--data-dir`, `STRIPE_CONNECTOR_DATA`,
 * `--store URL`) and `--json`, and opening the trigger service on that store (lazily: declaring
 * the program loads none of it).
 */
import type { Command } from 'commander';
import type { Store } from '../../store/types.ts';
import type { TriggerService } from '../../triggers/service.ts';
import { printJson, printTable } from '../output.ts';

export interface StoreFlags {
  dataDir?: string;
  store?: string;
  json?: boolean;
}

export function addStoreOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'the data directory (default: STRIPE_CONNECTOR_DATA or ./.stripe-connector/)')
    .option('--store <url>', 'a store URL instead: postgres://… or sqlite:PATH')
    .option('--json', 'print JSON');
}

/** Opens the store the flags select, runs `fn` with the trigger service on it, always closes it. */
export async function withTriggers<T>(
  flags: StoreFlags,
  fn: (service: TriggerService, store: Store) => Promise<T>,
  catalog = false,
): Promise<T> {
  const [{ openStore }, { TriggerService }] = await Promise.all([
    import('../../store/index.ts'),
    import('../../triggers/service.ts'),
  ]);
  const cat = catalog ? (await import('../../catalog/index.ts')).loadCatalog() : undefined;
  const store = await openStore({ dataDir: flags.dataDir, url: flags.store });
  try {
    return await fn(new TriggerService(store, cat), store);
  } finally {
    await store.close();
  }
}

/** JSON with --json, else a table of `columns` (keys of each row). */
export function printRows<R extends object>(
  flags: StoreFlags,
  rows: R[],
  columns: Array<keyof R & string>,
): void {
  if (flags.json) return printJson(rows);
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  printTable(
    columns,
    rows.map((r) => columns.map((c) => cell(r[c]))),
  );
}
