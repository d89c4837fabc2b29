/**
 * CSV for exports, one writer for the server (`format=csv`) and the CLI (`--format csv`): the
 * header comes from the first row; later rows are written in its column order (a column that first
 * appears later is appended at the end of that row, unnamed: stable CSV needs a known header).
 *
 * Every cell, column names included, is escaped against formula injection (OWASP, "CSV
 * Injection"): text that starts with =, +, -, @, a tab or a carriage return would run as a formula
 * in a spreadsheet (`=HYPERLINK(…)` sending other cells away), so it gets a leading ' and is
 * quoted, and a reader that splits on the separator cannot cut the escape off. A number is left as
 * it is (-12 is a number to a spreadsheet, not a formula, and an escaped amount would be text), and
 * so is text that is a plain number ("-12" in metadata) for the same reason.
 *
 * The browser console saves the server's CSV as it comes (console/public/pages/export.js): it
 * writes no CSV of its own, so this is the only escaping.
 */
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** What an escaped cell looks like: the one kind of cell quoted although it needs no quotes. */
const ESCAPED = /^'[=+\-@\t\r]/;

/** One cell's text: '' for null, JSON for an object or array, escaped when it would be a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint')
    return String(value);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** One CSV line (with its newline) of values. */
export function csvLine(values: unknown[]): string {
  return stringify([values.map(csvCell)], { quoted_match: ESCAPED });
}

/** A writer of rows one by one: the first call also returns the header line. */
export function csvRows(): (row: Record<string, unknown>) => string {
  let columns: string[] | undefined;
  return (row) => {
    let head = '';
    if (!columns) {
      columns = Object.keys(row);
      head = csvLine(columns);
    }
    const extra = Object.keys(row).filter((k) => !columns!.includes(k));
    return head + csvLine([...columns, ...extra].map((c) => row[c]));
  };
}
