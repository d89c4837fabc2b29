/**
 * The progress line of long row work (exports, a COUNT or ORDER BY over a full scan): rows scanned
 * and written, rate, requests, throttle waits, and an ETA when the total is known. It is drawn on
 * stderr only when stderr is a terminal and --quiet is not given, so piped output never has it.
 */
import type { GatewayStats } from '../gateway/types.ts';

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  quiet?: boolean;
  /** The gateway's live counters (requests, throttle waits). */
  stats?: () => GatewayStats | undefined;
  /** Rows expected in total (a LIMIT), for the ETA. */
  total?: number;
  now?: () => number;
  /** Minimum time between two redraws. */
  intervalMs?: number;
}

export interface Progress {
  /** After every API page, with the rows it held. */
  page(rows: number): void;
  /** After every row written. */
  row(): void;
  /** Draws the final line (ending it) if anything was drawn or worth saying. */
  done(): void;
}

const num = (n: number) => n.toLocaleString('en-US');

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = Boolean(stream.isTTY) && !options.quiet;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 200;
  const started = now();
  let scanned = 0;
  let written = 0;
  let pages = 0;
  let last = -Infinity;
  let drawn = false;

  const line = (): string => {
    const secs = Math.max(0.001, (now() - started) / 1000);
    const rate = Math.round(scanned / secs);
    const stats = options.stats?.();
    const parts = [`${num(scanned)} rows scanned`, `${num(written)} written`, `${num(rate)} rows/s`];
    parts.push(`${num(stats?.requests ?? pages)} requests`);
    if (stats?.throttledWaits)
      parts.push(`${num(stats.throttledWaits)} throttle waits (${(stats.throttledMs / 1000).toFixed(1)} s)`);
    if (options.total !== undefined && written > 0 && written < options.total) {
      const eta = (options.total - written) / Math.max(0.001, written / secs);
      parts.push(`ETA ${Math.ceil(eta)} s`);
    }
    return parts.join(' · ');
  };
  const draw = (final: boolean) => {
    if (!enabled) return;
    const t = now();
    if (!final && t - last < interval) return;
    last = t;
    drawn = true;
    // \x1b[K clears what a longer previous line left behind.
    stream.write(`\r${line()}\x1b[K${final ? '\n' : ''}`);
  };
  return {
    page(rows) {
      pages++;
      scanned += rows;
      draw(false);
    },
    row() {
      written++;
      if ((written & 255) === 0) draw(false);
    },
    done() {
      if (drawn || pages > 1) draw(true);
    },
  };
}
