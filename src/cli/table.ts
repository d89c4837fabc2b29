/**
 * Tables for people: columns fitted to the terminal (long cells cut with …), timestamps as ISO
 * dates, and for an entity a default column choice derived from its catalog fields.
 */
import Table from 'cli-table3';

/** Fields that identify an object to a person, in the order shown, when the entity has them. */
const IDENTIFYING_FIELDS = [
  'id',
  'name',
  'email',
  'description',
  'amount',
  'currency',
  'status',
  'type',
  'created',
] as const;
const DEFAULT_MAX_COLUMNS = 7;
const MIN_CELL = 6;

/** The terminal's width: the stream's columns, else $COLUMNS, else none (no fitting). */
export function terminalWidth(stream: { columns?: number } = process.stdout): number | undefined {
  const env = Number(process.env.COLUMNS);
  return stream.columns || (Number.isInteger(env) && env > 0 ? env : undefined);
}

/** id first, then the identifying fields the entity has; what a table of it shows by default. */
export function defaultColumns(fieldNames: Iterable<string>): string[] {
  const have = new Set(fieldNames);
  return IDENTIFYING_FIELDS.filter((f) => have.has(f)).slice(0, DEFAULT_MAX_COLUMNS);
}

/** Columns at most this wide (ids, dates, amounts) keep their width while wider text is cut. */
const SHORT_CELL = 24;

/**
 * Widths (content, without padding) that fit `available` characters. Wide text columns are capped
 * first, all at the same width (the largest that fits), so ids and dates stay whole; when even that
 * cannot fit, every column is capped alike.
 */
export function fitWidths(natural: number[], available: number): number[] {
  const capped = (cap: number, which: (w: number) => boolean) =>
    natural.map((w) => (which(w) ? Math.min(w, cap) : w));
  const fits = (widths: number[]) => widths.reduce((sum, w) => sum + w, 0) <= available;
  if (fits(natural)) return natural;
  for (const which of [(w: number) => w > SHORT_CELL, () => true]) {
    let cap = Math.max(...natural);
    while (cap > MIN_CELL && !fits(capped(cap, which))) cap--;
    if (fits(capped(cap, which))) return capped(cap, which);
  }
  return natural.map((w) => Math.min(w, MIN_CELL));
}

export interface TableOptions {
  /** Columns holding Unix timestamps (shown as ISO dates). */
  timestamps?: ReadonlySet<string>;
  width?: number;
}

export function cellText(value: unknown, isTimestamp = false): string {
  if (value === null || value === undefined) return '';
  if (isTimestamp && typeof value === 'number' && Number.isFinite(value))
    return new Date(value * 1000).toISOString().replace('.000Z', 'Z');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

const truncate = (text: string, width: number) =>
  text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;

/** Renders rows of already-chosen columns as a borderless table no wider than the width. */
export function renderTable(allHead: string[], allRows: unknown[][], options: TableOptions = {}): string {
  // Columns that cannot get even MIN_CELL characters are left out (the rightmost first).
  const room = options.width ? Math.max(1, Math.floor((options.width - 1) / (MIN_CELL + 3))) : Infinity;
  const head = allHead.slice(0, room);
  const rows = allRows.map((row) => row.slice(0, room));
  const texts = rows.map((row) => row.map((v, i) => cellText(v, options.timestamps?.has(head[i]!))));
  let widths = head.map((h, i) => Math.max(h.length, ...texts.map((r) => r[i]!.length)));
  if (options.width) {
    // Each column costs its content, 2 of padding and 1 border; plus the closing border.
    widths = fitWidths(widths, options.width - head.length * 3 - 1);
  }
  const table = new Table({
    head: head.map((h, i) => truncate(h, widths[i]!)),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of texts) table.push(row.map((t, i) => truncate(t, widths[i]!)));
  return table.toString();
}
