/** The real CLI as child processes (a trigger runner to kill -9), and reading an NDJSON sink. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/stripe-connector.js', import.meta.url));

export interface Cli {
  cwd: string;
  env: Record<string, string | undefined>;
}

export function cli(c: Cli, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: c.cwd, env: { ...process.env, STRIPE_CONNECTOR_FROM_SOURCE: '1', ...c.env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

export interface Runner {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves once the runner printed that it runs (all services started). */
  started: Promise<void>;
  exited: Promise<number | null>;
}

export function spawnRunner(c: Cli, args: string[] = []): Runner {
  const child = spawn(process.execPath, [bin, 'trigger', 'run', ...args], {
    cwd: c.cwd,
    env: { ...process.env, STRIPE_CONNECTOR_FROM_SOURCE: '1', ...c.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  let onStart: () => void = () => {};
  const started = new Promise<void>((resolve) => (onStart = resolve));
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    if (/running \d+ trigger/.test(err)) onStart();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, started, exited };
}

export function readLines(file: string): Array<Record<string, any>> {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  // A line cut by kill -9 mid-write has no newline yet: only whole lines count.
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l));
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port free on 127.0.0.1 right now (for a listener whose URL must be known before it listens). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
