/** Runs test/store/child.ts processes against one store and collects their JSON lines. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves when a line matching `pred` was printed. */
  waitFor(pred: (line: Record<string, unknown>) => boolean): Promise<void>;
  exited: Promise<number | null>;
}

export function startChild(mode: string, url: string, worker: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, url, worker], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: Array<{ pred: (l: Record<string, unknown>) => boolean; resolve: () => void }> = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.pred(line))) w.resolve();
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null && stderr) process.stderr.write(`child ${worker}: ${stderr}\n`);
      resolve(code);
    }),
  );
  return {
    proc,
    lines,
    exited,
    waitFor: (pred) =>
      lines.some(pred)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ pred, resolve });
            void exited.then((code) =>
              reject(new Error(`child ${worker} exited (${code}) first: ${stderr}`)),
            );
          }),
  };
}

/** Starts n children, waits until all are ready, then lets them go at once; resolves with their lines. */
export async function runTogether(
  n: number,
  mode: string,
  url: string,
): Promise<Record<string, unknown>[][]> {
  const children = Array.from({ length: n }, (_, i) => startChild(mode, url, `w${i}`));
  if (mode !== 'open') {
    await Promise.all(children.map((c) => c.waitFor((l) => l.ready === true)));
    for (const c of children) c.proc.stdin!.write('go\n');
  }
  const codes = await Promise.all(children.map((c) => c.exited));
  if (codes.some((c) => c !== 0)) throw new Error(`children exited with ${codes.join(', ')}`);
  return children.map((c) => c.lines.filter((l) => l.ready === undefined));
}
