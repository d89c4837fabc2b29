/**
 * The `sync` command as a user runs it (a real CLI process against the emulator), connected
 * accounts fanned out with a checkpoint each, `sync status`, and bad input named clearly.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import type { ConnectorContext } from '../../src/context.ts';
import { runCli } from '../e2e/run.ts';
import { contextFor, freshTarget, loadFixture, refusingProxy, tableIds } from './support.ts';

let emulator: Emulator;
let ctx: ConnectorContext;
let accounts: string[];
const ids: Record<string, Record<string, string[]>> = {};
const env = () => ({
  STRIPE_API_KEY: 'sk_test_sync',
  STRIPE_API_BASE: emulator.url,
  STRIPE_ACCOUNT: undefined,
});

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  ctx = contextFor(emulator);
  accounts = [];
  for (let i = 0; i < 2; i++) {
    const a = await ctx.gateway.request({
      method: 'POST',
      path: '/v1/accounts',
      params: { type: 'express' },
    });
    accounts.push(a.id);
    ids[a.id] = loadFixture(emulator, a.id, 0.02);
  }
  ids[''] = loadFixture(emulator, undefined, 0.05);
});
afterAll(async () => {
  await ctx?.gateway.close();
  await emulator?.close();
});

describe('stripe-connector sync', () => {
  it('--accounts platform,all mirrors every account with its own checkpoint, then status tells', async () => {
    const to = freshTarget('sqlite');
    const args = [
      'sync',
      '--to',
      to,
      '--entities',
      'Customer,Price',
      '--accounts',
      'platform,all',
      '--once',
      '--json',
    ];
    const r = await runCli(args, env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({
      kind: 'migrated',
      report: { created: ['customer', 'price'] },
    });
    expect(lines.some((l) => l.includes('"kind":"backfill"'))).toBe(true);
    const summary = JSON.parse(
      lines.slice(lines.findIndex((l) => l.startsWith('{\n') || l === '{')).join('\n'),
    );
    expect(summary.kind).toBe('summary');
    expect([...summary.accounts].sort()).toEqual(['', ...accounts].sort());
    for (const account of ['', ...accounts]) {
      for (const resource of ['customer', 'price']) {
        expect((await tableIds(to, resource, account)).ids).toEqual([...ids[account][resource]].sort());
      }
    }
    // A change in one connected account reaches its rows only.
    const c = await ctx.gateway.request({
      method: 'POST',
      path: '/v1/customers',
      params: { email: 'acct@example.com' },
      stripeAccount: accounts[1],
    });
    expect((await runCli(args, env())).code).toBe(0);
    expect((await tableIds(to, 'customer', accounts[1])).ids).toContain(c.id);
    expect((await tableIds(to, 'customer', accounts[0])).ids).not.toContain(c.id);

    const status = await runCli(['sync', 'status', '--to', to, '--json']);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed.entities).toHaveLength(6);
    const a1 = parsed.entities.find((e: any) => e.account === accounts[1] && e.entity === 'Customer');
    expect(a1).toMatchObject({
      rows: ids[accounts[1]].customer.length + 1,
      backfill: { done: true },
      lastEvent: { type: 'customer.created' },
    });
    const table = await runCli(['sync', 'status', '--to', to]);
    expect(table.stdout).toMatch(/account\s+.*entity\s+.*rows/);
    expect(table.stdout).toContain('platform');
  }, 60_000);

  it('mirrors entities whose list takes no created (CreditNote, RadarEarlyFraudWarning, CheckoutSession) in one pass', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsliced: Record<string, string[]> = {};
    for (const [resource, prefix] of [
      ['credit_note', 'cn'],
      ['radar.early_fraud_warning', 'issfr'],
      ['checkout.session', 'cs_test'],
    ] as const) {
      const objects = Array.from({ length: 130 }, (_, i) => ({
        id: `${prefix}_unsliced${String(i).padStart(4, '0')}`,
        created: now - 600 - i * 60,
      }));
      emulator.load(resource, objects);
      unsliced[resource] = objects.map((o) => o.id).sort();
    }
    const to = freshTarget('sqlite');
    const r = await runCli(
      [
        'sync',
        '--to',
        to,
        '--entities',
        'Customer,CreditNote,RadarEarlyFraudWarning,CheckoutSession',
        '--once',
      ],
      env(),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await tableIds(to, 'customer')).ids).toEqual([...ids[''].customer].sort());
    expect((await tableIds(to, 'credit_note')).ids).toEqual(unsliced.credit_note);
    expect((await tableIds(to, 'radar_early_fraud_warning')).ids).toEqual(
      unsliced['radar.early_fraud_warning'],
    );
    expect((await tableIds(to, 'checkout_session')).ids).toEqual(unsliced['checkout.session']);
    // The emulator refuses `created` where Stripe does, so this test would see the old bug.
    const refused = await ctx.gateway
      .request({ method: 'GET', path: '/v1/credit_notes', params: { created: { gte: 1 } } })
      .catch((e) => e);
    expect(refused.message).toContain('Received unknown parameter: created');
  }, 60_000);

  it('one entity failing does not stop the others: status marks it failing with its error, exit 1 names it', async () => {
    // Stripe refusing every price listing (a proxy in front of the emulator), the rest untouched.
    const proxy = await refusingProxy(emulator.url, '/v1/prices');
    const to = freshTarget('sqlite');
    try {
      const r = await runCli(['sync', '--to', to, '--entities', 'Customer,Price,Product', '--once'], {
        ...env(),
        STRIPE_API_BASE: proxy.url,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/failed: platform Price \(backfill\): .*Prices are unavailable/);
      expect(r.stderr.match(/failed:/g)).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect((await tableIds(to, 'customer')).ids).toEqual([...ids[''].customer].sort());
      expect((await tableIds(to, 'product')).ids).toEqual([...ids[''].product].sort());
      const status = JSON.parse((await runCli(['sync', 'status', '--to', to, '--json'])).stdout);
      const price = status.entities.find((e: any) => e.entity === 'Price');
      expect(price).toMatchObject({
        health: 'failing',
        error: { stage: 'backfill', message: expect.stringContaining('Prices are unavailable') },
        backfill: { done: false },
      });
      expect(Math.abs(price.error.at - Date.now())).toBeLessThan(60_000);
      expect(status.entities.find((e: any) => e.entity === 'Customer')).toMatchObject({ health: 'healthy' });
      const table = await runCli(['sync', 'status', '--to', to]);
      expect(table.stdout).toMatch(/failing/);
    } finally {
      await proxy.close();
    }
    // Stripe answers again: the next run finishes the entity and it is healthy.
    const again = await runCli(['sync', '--to', to, '--entities', 'Customer,Price,Product', '--once'], env());
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect((await tableIds(to, 'price')).ids).toEqual([...ids[''].price].sort());
    const status = JSON.parse((await runCli(['sync', 'status', '--to', to, '--json'])).stdout);
    expect(status.entities.find((e: any) => e.entity === 'Price')).toMatchObject({ health: 'healthy' });
    expect(status.entities.find((e: any) => e.entity === 'Price').error).toBeUndefined();
  }, 60_000);

  it('runs until SIGTERM, then exits 0', async () => {
    const to = freshTarget('sqlite');
    const bin = fileURLToPath(new URL('../../bin/stripe-connector.js', import.meta.url));
    const proc = spawn(process.execPath, [bin, 'sync', '--to', to, '--entities', 'Customer', '--json'], {
      env: { ...process.env, STRIPE_CONNECTOR_FROM_SOURCE: '1', ...env() } as NodeJS.ProcessEnv,
    });
    let out = '';
    let signalled = false;
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (signalled || !out.includes('"kind":"poll"')) return;
      signalled = true;
      proc.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('"kind": "summary"');
  }, 30_000);

  it('names bad input: an unknown entity (with a suggestion), a target it cannot use', async () => {
    const bad = await runCli(
      ['sync', '--to', freshTarget('sqlite'), '--entities', 'Custmer', '--once'],
      env(),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown entity "Custmer"');
    expect(bad.stderr).toContain('Customer');
    const target = await runCli(['sync', '--to', 'mysql://x', '--entities', 'Customer', '--once'], env());
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('--to must be sqlite:PATH or postgres://');
    const none = await runCli(['sync', '--to', freshTarget('sqlite'), '--once'], env());
    expect(none.stderr).toContain('--entities');
    // Stripe lists subscription items only per subscription: refused before any call.
    const parented = await runCli(
      ['sync', '--to', freshTarget('sqlite'), '--entities', 'Customer,SubscriptionItem', '--once'],
      env(),
    );
    expect(parented.code).toBe(2);
    expect(parented.stderr).toContain(
      'SubscriptionItem cannot be mirrored: Stripe lists it only per subscription (GET /v1/subscription_items)',
    );
    expect(`${bad.stderr}${target.stderr}${none.stderr}${parented.stderr}`).not.toMatch(/\n\s+at /);
  }, 30_000);
});
