/** CLI journeys as a user runs them: real processes, real pipes, a pseudo-terminal, a shell. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.ts';
import { SEARCH_RULE } from '../../src/cli/options.ts';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { runCli } from './run.ts';

const bin = fileURLToPath(new URL('../../bin/stripe-connector.js', import.meta.url));
let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.load(
    'customer',
    Array.from({ length: 2500 }, (_, i) => ({
      name: `Person ${i}`,
      email: `p${i}@example.com`,
      description: `A long description of person ${i} `.repeat(8),
      created: 1_700_000_000 + i,
    })),
  );
  env = { STRIPE_API_KEY: 'sk_test_journeys', STRIPE_API_BASE: emulator.url };
});
afterAll(() => emulator?.close());

/** Runs a shell line with the CLI as `$CLI` (from the sources), answering its output and status. */
function shell(line: string, extra: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'bash',
      ['-c', line],
      {
        env: {
          ...process.env,
          ...env,
          ...extra,
          STRIPE_CONNECTOR_FROM_SOURCE: '1',
          CLI: `${process.execPath} ${bin}`,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('CLI journeys', () => {
  it('every command and subcommand has --help (the list comes from the program)', async () => {
    const program = buildProgram();
    const paths = program.commands.flatMap((c) => [
      [c.name()],
      ...c.commands.map((s) => [c.name(), s.name()]),
    ]);
    expect(paths.length).toBeGreaterThanOrEqual(16);
    const results = await Promise.all(paths.map((p) => runCli([...p, '--help'])));
    results.forEach(({ code, stdout }, i) => {
      expect(code, paths[i]!.join(' ')).toBe(0);
      expect(stdout).toContain(`Usage: stripe-connector ${paths[i]!.join(' ')}`);
      // The search rule, as one sentence, wherever search can be chosen; --shape's seed caveat.
      const flat = stdout.replace(/\s+/g, ' ');
      if (['list', 'query', 'explain'].includes(paths[i]![0]!)) expect(flat).toContain(SEARCH_RULE);
      if (stdout.includes('--shape')) expect(flat).toContain('numbers and booleans as strings');
    });
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(SEARCH_RULE);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('a reader that stops early (| head -1) ends the command quietly with 0', async () => {
    const { code, stdout, stderr } = await shell(
      '$CLI list Customer | head -1; echo "status=${PIPESTATUS[0]}" >&2',
    );
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout).object).toBe('customer');
    expect(stderr).toBe('status=0\n');
    expect(code).toBe(0);
  });

  it('--json is the JSON array of list and query, and contradicting --format is refused', async () => {
    const list = await runCli(['list', 'Customer', '--limit', '2', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(2);
    const query = await runCli(['query', 'SELECT id FROM Customer LIMIT 3', '--json'], env);
    expect(JSON.parse(query.stdout)).toEqual([
      { id: expect.any(String) },
      { id: expect.any(String) },
      { id: expect.any(String) },
    ]);
    const both = await runCli(['list', 'Customer', '--json', '--format', 'csv'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--json and --format csv contradict each other');
  });

  it('--format table fits the terminal, shows identifying columns and ISO dates; --columns picks', async () => {
    const { code, stdout } = await runCli(['list', 'Customer', '--limit', '3', '--format', 'table'], {
      ...env,
      COLUMNS: '110',
    });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(110);
    expect(lines[1]).toMatch(/^│ id +│ name +│ email +│ descr.* │ created +│$/);
    expect(stdout).toMatch(/│ cus_\w{14} │.*│ 2023-11-1\dT\d\d:\d\d:\d\dZ │\n/);
    const narrow = await runCli(['list', 'Customer', '--limit', '3', '--format', 'table'], {
      ...env,
      COLUMNS: '50',
    });
    for (const line of narrow.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(50);
    const picked = await runCli(
      ['list', 'Customer', '--limit', '2', '--columns', 'id,email', '--format', 'csv'],
      env,
    );
    expect(picked.stdout.split('\n')[0]).toBe('id,email');
  });

  it('describe and actions --entity tables fit the terminal', async () => {
    for (const args of [
      ['describe', 'PaymentIntent'],
      ['actions', '--entity', 'PaymentIntent'],
    ]) {
      const { code, stdout } = await runCli(args, { COLUMNS: '70' });
      expect(code).toBe(0);
      const lines = stdout.split('\n').filter((l) => /^[┌│└]/.test(l));
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) expect(line.length, `${args.join(' ')}: ${line}`).toBeLessThanOrEqual(70);
    }
  });

  it('shows progress on a terminal (pseudo-TTY), none when piped', async () => {
    // Through the shell helper (async): the emulator answering the CLI lives in this process.
    const tty = await shell(`script -qc '$CLI list Customer --limit 400 > /dev/null' /dev/null < /dev/null`);
    expect(tty.stdout).toMatch(/400 rows scanned · 400 written · [\d,]+ rows\/s · \d+ requests/);
    const piped = await runCli(['list', 'Customer', '--limit', '400'], env);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
  });

  it('an empty --payload is refused naming --payload, and nothing is created', async () => {
    emulator.clearRequests();
    const { code, stderr } = await runCli(['create', 'Customer', '--payload', ''], env);
    expect(code).toBe(2);
    expect(stderr).toContain('error INVALID_ARGUMENT: --payload is empty');
    const piped = await shell('printf "" | $CLI update Customer cus_1 --payload @-');
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('--payload is empty (stdin is empty)');
    expect(emulator.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('bash completion completes commands, entities and actions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'completion-'));
    const complete = (words: string) =>
      shell(
        `source <($CLI completion bash); COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _stripe_connector; echo "\${COMPREPLY[*]}"`,
        { HOME: dir },
      ).then((r) => r.stdout.trim().split(' '));
    expect(await complete('stripe-connector desc')).toEqual(['describe']);
    expect(await complete('stripe-connector describe PaymentInt')).toEqual(
      expect.arrayContaining(['PaymentIntent']),
    );
    expect(await complete('stripe-connector action CapturePay')).toEqual(['CapturePaymentIntent']);
    expect(await complete('stripe-connector list Customer --for')).toEqual(['--format']);
    expect(await complete('stripe-connector connection t')).toEqual(['test']);
  });
});
