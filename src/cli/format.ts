/**
 * Streaming output writers: rows go out as they arrive (json array, ndjson, csv) so an export of any
 * size runs in constant memory; `table` needs column widths, so it holds a bounded number of rows.
 * Writes respect stdout backpressure (they wait for 'drain').
 */
import type { Writable } from 'node:stream';
import { csvRows } from '../entities/csv.ts';
import { renderTable, type TableOptions } from './table.ts';

export type Format = 'json' | 'ndjson' | 'csv' | 'table';
export const FORMATS: Format[] = ['json', 'ndjson', 'csv', 'table'];
const TABLE_MAX_ROWS = 1000;

export interface RowWriter {
  write(row: Record<string, unknown>): Promise<void>;
  end(): Promise<void>;
}

async function put(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

export interface TableLayout extends TableOptions {
  /** The columns shown (default: every key of the rows held). */
  columns?: string[];
}

export function createWriter(
  format: Format,
  out: Writable = process.stdout,
  table: TableLayout = {},
): RowWriter {
  switch (format) {
    case 'ndjson':
      return { write: (row) => put(out, JSON.stringify(row) + '\n'), end: async () => {} };
    case 'json': {
      let first = true;
      return {
        async write(row) {
          await put(out, (first ? '[\n  ' : ',\n  ') + JSON.stringify(row));
          first = false;
        },
        end: () => put(out, first ? '[]\n' : '\n]\n'),
      };
    }
    case 'csv': {
      // The header comes from the first row (use --flat with a SELECT list for irregular objects);
      // formula cells are escaped (entities/csv.ts, the server's writer too).
      const line = csvRows();
      return { write: (row) => put(out, line(row)), end: async () => {} };
    }
    case 'table': {
      const rows: Array<Record<string, unknown>> = [];
      let truncated = 0;
      return {
        async write(row) {
          if (rows.length < TABLE_MAX_ROWS) rows.push(row);
          else truncated++;
        },
        async end() {
          const head = table.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
          const text = rows.length
            ? renderTable(
                head,
                rows.map((r) => head.map((h) => r[h])),
                { timestamps: table.timestamps, width: table.width },
              )
            : '(no rows)';
          await put(out, text + '\n');
          if (truncated)
            process.stderr.write(`(${truncated} more rows not shown: use --format ndjson or csv)\n`);
        },
      };
    }
  }
}
