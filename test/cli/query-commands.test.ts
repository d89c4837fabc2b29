/** list, query and explain through the real CLI against the emulator, as a user runs them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { runCli } from '../e2e/run.ts';

let emulator: Emulator;
let env: Record<string, string>;
const people = [
  { name: 'Jane Roe', email: 'jane@example.com', metadata: { plan: 'pro' }, address: { country: 'DE' } },
  { name: 'John Doe', email: 'john@example.com', metadata: { plan: 'free' }, address: { country: 'US' } },
  { name: 'Ana Silva', email: 'ana@example.com', metadata: { plan: 'pro' } },
];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.load(
    'customer',
    people.map((p, i) => ({ ...p, created: 1_700_000_000 + i })),
  );
  env = { STRIPE_API_KEY: 'sk_test_cli', STRIPE_API_BASE: emulator.url };
});
afterAll(() => emulator?.close());

describe('list / query / explain commands', () => {
  it('list --filter pushes the email down and prints ndjson', async () => {
    emulator.clearRequests();
    const { code, stdout } = await runCli(
      ['list', 'Customer', '--filter', "email = 'jane@example.com'"],
      env,
    );
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.name)).toEqual(['Jane Roe']);
    const calls = emulator.requests.filter((r) => r.path === '/v1/customers');
    expect(calls).toHaveLength(1);
    expect(calls[0].query).toMatchObject({ email: 'jane@example.com' });
  });

  it('list --flat --format csv gives dotted columns', async () => {
    const { code, stdout } = await runCli(
      ['list', 'Customer', '--filter', "metadata.plan = 'pro'", '--flat', '--format', 'csv'],
      env,
    );
    expect(code).toBe(0);
    const [header, ...lines] = stdout.trim().split('\n');
    expect(header.split(',')).toEqual(expect.arrayContaining(['id', 'email', 'metadata.plan']));
    expect(lines).toHaveLength(2);
  });

  it('query runs SQL with projection, order and limit', async () => {
    const { code, stdout } = await runCli(
      [
        'query',
        'SELECT name, email FROM Customer WHERE address.country IS NOT NULL ORDER BY name LIMIT 5',
        '--format',
        'json',
      ],
      env,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { name: 'Jane Roe', email: 'jane@example.com' },
      { name: 'John Doe', email: 'john@example.com' },
    ]);
  });

  it('query counts', async () => {
    const { code, stdout } = await runCli(
      ['query', "SELECT COUNT(*) FROM Customer WHERE metadata.plan = 'pro'"],
      env,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toEqual({ count: 2 });
  });

  it('explain --json shows the API calls and the residual predicate, without calling Stripe', async () => {
    emulator.clearRequests();
    const { code, stdout } = await runCli(
      ['explain', "email = 'jane@example.com' AND name LIKE 'J%'", '--entity', 'Customer', '--json'],
      env,
    );
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    // The email goes to Stripe as a list parameter; only the LIKE is left to check locally.
    expect(plan.calls).toEqual([
      {
        kind: 'list',
        method: 'GET',
        path: '/v1/customers',
        params: { email: 'jane@example.com', limit: 100 },
      },
    ]);
    expect(plan.pushedDown).toEqual(["email = 'jane@example.com'"]);
    expect(plan.residual).toBe("name LIKE 'J%'");
    expect(emulator.requests).toHaveLength(0);
  });

  it('a syntax error exits 2 with a caret under the position', async () => {
    const { code, stderr } = await runCli(['list', 'Customer', '--filter', "email = 'a' AND (name ="], env);
    expect(code).toBe(2);
    expect(stderr).toContain('FILTER_SYNTAX');
    const lines = stderr.split('\n');
    const caretLine = lines.find((l) => /^\s*\^\s*$/.test(l));
    expect(caretLine).toBeDefined();
  });

  it('an unknown field exits 2 naming the closest field', async () => {
    const { code, stderr } = await runCli(['list', 'Customer', '--filter', "emial = 'x'"], env);
    expect(code).toBe(2);
    expect(stderr).toContain('UNKNOWN_FIELD');
    expect(stderr).toContain('email');
  });

  it('a join is refused with an error that says so', async () => {
    const { code, stderr } = await runCli(
      ['query', 'SELECT * FROM Customer c JOIN Invoice i ON c.id = i.customer'],
      env,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/QUERY_UNSUPPORTED.*join/i);
  });
});
