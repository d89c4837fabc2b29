/**
 * The exec sink: runs a command (through the shell, as written in `exec:COMMAND`) with the
 * delivery as JSON on stdin. Exit 0 is the ack; any other exit, a signal, or no exit within the
 * timeout (the command is killed) is retried.
 */
import { spawn } from 'node:child_process';
import type { Sink, SinkMessage, SinkOutcome } from './types.ts';

export const EXEC_SINK_TIMEOUT_MS = 30_000;

export function execSink(command: string, opts: { timeoutMs?: number; cwd?: string } = {}): Sink {
  const timeoutMs = opts.timeoutMs ?? EXEC_SINK_TIMEOUT_MS;
  return {
    send: (message: SinkMessage) =>
      new Promise<SinkOutcome>((resolve) => {
        // Its own process group, so a timeout kills what the shell started too, not just the shell.
        const child = spawn(command, {
          shell: true,
          cwd: opts.cwd,
          stdio: ['pipe', 'ignore', 'pipe'],
          detached: true,
        });
        let stderr = '';
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-(child.pid as number), 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }, timeoutMs);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr = (stderr + chunk.toString()).slice(-500);
        });
        child.stdin.on('error', () => undefined); // a command that does not read stdin is fine
        child.on('error', (error) => {
          clearTimeout(timer);
          resolve({ kind: 'retry', error: `exec: ${error.message}` });
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0 && !timedOut) return resolve({ kind: 'ack' });
          const why = timedOut
            ? `no exit within ${timeoutMs} ms (killed)`
            : signal
              ? `killed by ${signal}`
              : `exit ${code}`;
          const tail = stderr.trim().split('\n').at(-1);
          resolve({ kind: 'retry', error: `exec: ${why}${tail ? `: ${tail.slice(0, 200)}` : ''}` });
        });
        child.stdin.end(JSON.stringify(message));
      }),
    close: async () => undefined,
  };
}
