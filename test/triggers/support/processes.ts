/** The real CLI as child processes (a trigger runner to kill -9), and reading an NDJSON sink. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/stripe-connector.js');

export interface Cli {
  cwd: string;
  env: Record<string, string | undefined>;
  /** A built CLI (`builtCli`) instead of the sources through tsx. */
  bin?: string;
}

/** How the CLI runs: the sources through tsx, or a build of them. */
function command(c: Cli): { bin: string; env: Record<string, string | undefined> } {
  const fromSource = c.bin === undefined ? '1' : '0';
  return { bin: c.bin ?? bin, env: { ...process.env, STRIPE_CONNECTOR_FROM_SOURCE: fromSource, ...c.env } };
}

/**
 * The CLI built from the current sources, as `npm install` builds it (bin/build.mjs), in its own
 * directory under .tmp/ (the suite's dist/ build test rebuilds dist/ meanwhile). It starts in a
 * fraction of the time tsx takes, which is what a test that starts it dozens of times spends most
 * on. The directory links to the checkout's catalog, sources and packages; the bin falls back to
 * the sources if one changes after the build, as it does for dist/.
 */
export async function builtCli(): Promise<{ bin: string; dir: string }> {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, '.tmp', 'cli-build-'));
  for (const name of ['catalog', 'node_modules', 'src', 'package.json'])
    symlinkSync(join(root, name), join(dir, name));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(bin, join(dir, 'bin/stripe-connector.js'));
  await promisify(execFile)(process.execPath, [join(root, 'bin/build.mjs'), join(dir, 'dist')], {
    cwd: root,
  });
  return { bin: join(dir, 'bin/stripe-connector.js'), dir };
}

export function cli(c: Cli, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = command(c);
  return new Promise((resolve) => {
    execFile(process.execPath, [run.bin, ...args], { cwd: c.cwd, env: run.env }, (error, stdout, stderr) =>
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
  const run = command(c);
  const child = spawn(process.execPath, [run.bin, 'trigger', 'run', ...args], {
    cwd: c.cwd,
    env: run.env,
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
