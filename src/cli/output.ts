/** How commands print: JSON for machines (--json), tables fitted to the terminal for people. */
import { renderTable, terminalWidth } from './table.ts';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printTable(head: string[], rows: Array<Array<string | number | undefined>>): void {
  process.stdout.write(renderTable(head, rows, { width: terminalWidth() }) + '\n');
}

/** One "key  value" line per entry, keys aligned: for a single record such as a connection check. */
export function printFields(record: Record<string, unknown>): void {
  const width = Math.max(0, ...Object.keys(record).map((k) => k.length));
  const lines = Object.entries(record).map(
    ([k, v]) => `${k.padEnd(width)}  ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
  );
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * A reader that stops early (`| head -1`) closes the pipe: the next write fails with EPIPE. That is
 * the reader's choice, not a failure, so the process ends quietly with 0, as other CLIs do, instead
 * of an unhandled 'error' event's stack trace. Other stream errors keep their normal course.
 */
export function endQuietlyOnClosedPipe(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}
