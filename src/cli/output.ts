/** How commands print: JSON for machines (--json), aligned tables for people. */
import Table from 'cli-table3';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printTable(head: string[], rows: Array<Array<string | number | undefined>>): void {
  const table = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(row.map((cell) => (cell === undefined ? '' : String(cell))));
  process.stdout.write(table.toString() + '\n');
}

/** One "key  value" line per entry, keys aligned: for a single record such as a connection check. */
export function printFields(record: Record<string, unknown>): void {
  const width = Math.max(0, ...Object.keys(record).map((k) => k.length));
  const lines = Object.entries(record).map(
    ([k, v]) => `${k.padEnd(width)}  ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
  );
  process.stdout.write(lines.join('\n') + '\n');
}
