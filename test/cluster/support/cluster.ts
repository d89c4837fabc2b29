/** Starts node-process.ts children (the test and bench/scale-out.ts) and collects their JSON lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeConfig } from './node-process.ts';

const PROGRAM = fileURLToPath(new URL('./node-process.ts', import.meta.url));

export interface NodeChild {
  id: string;
  proc: ChildProcess;
  lines: Array<Record<string, any>>;
  stderr(): string;
  waitFor(pred: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  exited: Promise<number | null>;
  /** The latest counts it printed. */
  stats(): { ok: number; failed: number };
}

export function startNode(config: NodeConfig): NodeChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', PROGRAM, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, any>> = [];
  const waiters: Array<{
    pred: (l: Record<string, any>) => boolean;
    resolve: (l: Record<string, any>) => void;
  }> = [];
  let buf = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = JSON.parse(buf.slice(0, nl)) as Record<string, any>;
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.pred(line))) w.resolve(line);
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    id: config.nodeId,
    proc,
    lines,
    stderr: () => err,
    exited,
    waitFor(pred, timeoutMs = 30_000) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `node ${config.nodeId}: no matching line in ${timeoutMs} ms; stderr: ${err.slice(-2000)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        exited.then(() =>
          setTimeout(
            () => reject(new Error(`node ${config.nodeId} exited; stderr: ${err.slice(-2000)}`)),
            50,
          ),
        );
      });
    },
    stats() {
      const last = [...lines].reverse().find((l) => l.event === 'stats');
      return { ok: last?.ok ?? 0, failed: last?.failed ?? 0 };
    },
  };
}

/** Requests per calendar second (epoch-ms timestamps), and the largest count in any `windowMs` stretch. */
export function perSecond(times: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const t of times) counts.set(Math.floor(t / 1000), (counts.get(Math.floor(t / 1000)) ?? 0) + 1);
  return counts;
}

export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}
