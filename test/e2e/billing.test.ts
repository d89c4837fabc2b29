/** The IBM seed's billing flow from the CLI, against the emulator (issue 15's "Done when"). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { runCli } from './run.ts';

const PLANS = fileURLToPath(new URL('../../examples/plans.yaml', import.meta.url));
let emulator: Emulator;
let dir: string;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(['billing', ...args, '--data-dir', dir], env);
const json = async (...args: string[]) => {
  const r = await cli(...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    accounts: {
      sk_test_e2ebilling: 'acct_e2e',
      pk_test_e2ebilling: 'acct_e2e',
      sk_test_elsewhere: 'acct_elsewhere',
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'billing-e2e-'));
  env = {
    PK: 'pk_test_e2ebilling',
    SK: 'sk_test_e2ebilling',
    OTHER: 'sk_test_elsewhere',
    STRIPE_API_BASE: emulator.url,
  };
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('billing from the CLI', () => {
  it('integration add, catalog add/attach, apply twice, subscribe, jobs all succeeded, the invoice paid', async () => {
    const added = await json(
      'integration',
      'add',
      '--title',
      'My Billing',
      '--publishable-key',
      'env:PK',
      '--secret-key',
      'env:SK',
    );
    expect(added).toMatchObject({
      name: 'my-billing',
      title: 'My Billing',
      account: 'acct_e2e',
      mode: 'test',
      secretKey: 'env:SK',
    });
    expect(JSON.stringify(added)).not.toContain(env.SK);
    expect(await json('catalog', 'add', 'sandbox', '--kind', 'sandbox')).toMatchObject({
      name: 'sandbox',
      kind: 'sandbox',
    });
    expect((await json('catalog', 'attach', 'sandbox', 'my-billing')).integrations).toEqual(['my-billing']);

    const planned = await cli('plan', '--catalog', 'sandbox', PLANS);
    expect(planned.stdout).toContain('create price pro-monthly: 2900 usd per month');
    const applied = await json('apply', '--catalog', 'sandbox', PLANS);
    expect(applied.ok).toBe(true);
    expect(applied.jobs.map((j: { status: string }) => j.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    const second = await cli('apply', '--catalog', 'sandbox', PLANS);
    expect([second.code, second.stdout]).toEqual([0, 'no changes: Stripe matches the plan file\n']);

    const sub = await json(
      'subscribe',
      '--integration',
      'my-billing',
      '--plan',
      'pro-monthly',
      '--consumer',
      'c-1',
      '--email',
      'c1@example.com',
      '--card',
      'pm_card_visa',
    );
    expect(sub.subscription).toMatchObject({
      status: 'active',
      invoice: { status: 'paid', amountPaid: 2900 },
    });

    const jobs = await json('jobs', '--integration', 'my-billing');
    expect(jobs).toHaveLength(8);
    expect(jobs.every((j: { status: string }) => j.status === 'succeeded')).toBe(true);
    expect(await json('jobs', '--integration', 'my-billing', '--status', 'blocked')).toEqual([]);

    const seen = await json('subscriptions', '--integration', 'my-billing', '--consumer', 'c-1');
    expect(seen.subscriptions.map((s: { plan: string; status: string }) => [s.plan, s.status])).toEqual([
      ['pro-monthly', 'active'],
    ]);
    expect(
      seen.invoices.map((i: { status: string; amountPaid: number }) => [i.status, i.amountPaid]),
    ).toEqual([['paid', 2900]]);

    const list = await cli('integration', 'list');
    expect(list.stdout).toMatch(/my-billing .*My Billing .*test .*acct_e2e .*sandbox/);
  }, 120_000);

  it('refusals are clear, coded, exit 2, and never show a key', async () => {
    const prod = await cli('catalog', 'add', 'live', '--kind', 'production');
    expect(prod.code).toBe(0);
    const placed = await cli('catalog', 'attach', 'live', 'my-billing');
    expect([placed.code, placed.stderr]).toEqual([
      2,
      'error BILLING_REFUSED: refused: integration my-billing has test-mode keys and catalog live is a production catalog; test keys go only to sandbox catalogs, live keys only to production catalogs\n',
    ]);
    const swapped = await cli('integration', 'update-keys', 'my-billing', '--secret-key', 'env:OTHER');
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(/^error BILLING_REFUSED: /);
    const literal = await cli(
      'integration',
      'add',
      '--title',
      'Oops',
      '--publishable-key',
      'env:PK',
      '--secret-key',
      env.SK,
    );
    expect([literal.code, literal.stderr.split('\n')[0]]).toEqual([
      2,
      'error INVALID_VALUE: secretKey: write a secret reference (env:VAR or file:PATH), never the key itself',
    ]);
    for (const r of [placed, swapped, literal]) expect(r.stderr + r.stdout).not.toContain(env.SK);
    const unknown = await cli('jobs', '--integration', 'nope');
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([
      2,
      'error NOT_FOUND: no billing integration named "nope"',
    ]);
  }, 60_000);
});
