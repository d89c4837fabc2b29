/**
 * Streaming output writers: rows go out as they arrive (json array, ndjson, csv) so an export of any
 * size runs in constant memory; `table` needs column widths, so it holds a bounded number of rows.
 * Writes respect stdout backpressure (they wait for 'drain').
 */
import type { Writable } from 'node:stream';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

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

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function createWriter(format: Format, out: Writable = process.stdout): RowWriter {
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
      // The header comes from the first row; later rows are written in its column order
      // (a column that first appears later is appended at the end of that row, unnamed: stable CSV
      // needs a known header, so use --flat with a SELECT list for irregular objects).
      let columns: string[] | undefined;
      return {
        async write(row) {
          if (!columns) {
            columns = Object.keys(row);
            await put(out, stringify([columns]));
          }
          const extra = Object.keys(row).filter((k) => !columns!.includes(k));
          await put(out, stringify([[...columns, ...extra].map((c) => cell(row[c]))]));
        },
        end: async () => {},
      };
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
          const head = [...new Set(rows.flatMap((r) => Object.keys(r)))];
          const table = new Table({
            head,
            style: { head: [], border: [] },
            chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
          });
          for (const r of rows) table.push(head.map((h) => cell(r[h]).slice(0, 60)));
          await put(out, (rows.length ? table.toString() : '(no rows)') + '\n');
          if (truncated)
            process.stderr.write(`(${truncated} more rows not shown: use --format ndjson or csv)\n`);
        },
      };
    }
  }
}

/** A progress line on stderr (rows, rate, pages), only when stderr is a terminal. */
export function progress(enabled = Boolean(process.stderr.isTTY)) {
  const started = Date.now();
  let rows = 0;
  let pages = 0;
  let last = 0;
  const draw = (final = false) => {
    const now = Date.now();
    if (!enabled || (!final && now - last < 200)) return;
    last = now;
    const secs = Math.max(0.001, (now - started) / 1000);
    process.stderr.write(
      `\r${rows} rows, ${Math.round(rows / secs)} rows/s, ${pages} pages${final ? '\n' : ''}`,
    );
  };
  return {
    page() {
      pages++;
      draw();
    },
    row() {
      rows++;
      if ((rows & 255) === 0) draw();
    },
    done() {
      if (rows > 0 || pages > 1) draw(true);
    },
  };
}
