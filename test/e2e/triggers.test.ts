/**
 * The Done-when journey with real processes: the emulator, `trigger add new-customers --preset
 * customer-added --sink file:out.ndjson --interval 1s`, `trigger run`; each new customer once as
 * an NDJSON line with the seed's fields (one made between the add and the run included); kill -9
 * and a restart lose nothing; `trigger status --json` shows the checkpoint and counts; the data dir is chosen by STRIPE_CONNECTOR_DATA/--data-dir.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { deliveryId } from '../../src/triggers/delivery-id.ts';
import { cli, readLines, spawnRunner, until, type Cli } from '../triggers/support/processes.ts';

let emulator: Emulator;
let c: Cli;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  c = {
    cwd: mkdtempSync(join(tmpdir(), 'trigger-journey-')),
    env: {
      STRIPE_API_KEY: 'sk_test_journey',
      STRIPE_API_BASE: emulator.url,
      STRIPE_CONNECTOR_DATA: undefined,
    },
  };
});
afterAll(() => emulator?.close());

async function customer(email: string, balance: number): Promise<string> {
  const res = await fetch(`${emulator.url}/v1/customers`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_journey', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, balance: String(balance) }),
  });
  return ((await res.json()) as { id: string }).id;
}

describe('trigger journey (real processes)', () => {
  it('add, run, each new customer once with the seed fields, kill -9 and restart lose nothing, status', async () => {
    const add = await cli(c, [
      'trigger',
      'add',
      'new-customers',
      '--preset',
      'customer-added',
      '--sink',
      'file:out.ndjson',
      '--interval',
      '1s',
    ]);
    expect(add).toMatchObject({ code: 0 });
    expect(add.stdout).toContain('trigger new-customers saved');
    const out = join(c.cwd, 'out.ndjson');

    // Made after the add but before any runner: the trigger begins when it was added.
    const ids = [await customer('a@x.test', -1)];
    let runner = spawnRunner(c);
    await runner.started;
    ids.push(await customer('b@x.test', 0), await customer('c@x.test', 250));
    await until(() => readLines(out).length >= 3);
    runner.child.kill('SIGKILL');
    await runner.exited;
    // Made while no runner runs: the restart's poll picks them up from the checkpoint.
    ids.push(await customer('d@x.test', 1), await customer('e@x.test', 2));
    runner = spawnRunner(c);
    await runner.started;
    await until(() => new Set(readLines(out).map((l) => l.data.id)).size >= 5);
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);

    const lines = readLines(out);
    expect(lines.map((l) => l.data.id)).toEqual(ids);
    for (const l of lines) expect(l.id).toBe(deliveryId('new-customers', l.event_id));
    expect(lines[0]).toEqual({
      id: lines[0].id,
      trigger: 'new-customers',
      type: 'customer.created',
      event_id: lines[0].event_id,
      timestamp: expect.any(String),
      data: {
        id: ids[0],
        account_balance: -1,
        created: expect.any(Number),
        currency: null,
        delinquent: false,
        description: null,
        discount: null,
        email: 'a@x.test',
      },
    });

    const status = await cli(c, ['trigger', 'status', '--json']);
    expect(status.code).toBe(0);
    const [s] = JSON.parse(status.stdout);
    expect(s).toMatchObject({
      name: 'new-customers',
      source: 'events',
      pending: 0,
      delivered: 5,
      failed: 0,
      dead: 0,
      lag: 0,
    });
    expect(Date.parse(s.checkpoint.eventsUpTo)).toBeGreaterThan(0);
  }, 60_000);

  it('--data-dir and STRIPE_CONNECTOR_DATA select the store on every trigger command', async () => {
    const other = mkdtempSync(join(tmpdir(), 'trigger-data-'));
    const viaEnv = { ...c, env: { ...c.env, STRIPE_CONNECTOR_DATA: other } };
    expect(JSON.parse((await cli(viaEnv, ['trigger', 'list', '--json'])).stdout)).toEqual([]);
    await cli(viaEnv, ['trigger', 'add', 'elsewhere', '--preset', 'order-added', '--sink', 'stdout']);
    const viaFlag = await cli(c, ['trigger', 'show', 'elsewhere', '--data-dir', other, '--json']);
    expect(JSON.parse(viaFlag.stdout)).toMatchObject({
      name: 'elsewhere',
      definition: { events: ['order.created'] },
    });
    const missing = await cli(c, ['trigger', 'status', 'elsewhere']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no trigger named "elsewhere" (there are: new-customers)');
    const dead = await cli(viaEnv, ['trigger', 'dead-letters', 'elsewhere', '--json']);
    expect(JSON.parse(dead.stdout)).toEqual([]);
  }, 30_000);

  it('trigger deliveries: newest first, a page before a seq or id, --order asc; a bad cursor named', async () => {
    const list = async (...args: string[]) => {
      const run = await cli(c, ['trigger', 'deliveries', 'new-customers', '--json', ...args]);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as Array<{ seq: number; id: string; eventId: string }>;
    };
    const all = await list('--order', 'asc');
    expect(all).toHaveLength(5);
    const newest = await list('--limit', '2');
    expect(newest.map((d) => d.seq)).toEqual([all[4].seq, all[3].seq]);
    const older = await list('--limit', '2', '--before', String(newest[1].seq));
    expect(older.map((d) => d.seq)).toEqual([all[2].seq, all[1].seq]);
    expect((await list('--before', all[1].id)).map((d) => d.seq)).toEqual([all[0].seq]);
    const bad = await cli(c, ['trigger', 'deliveries', 'new-customers', '--before', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--before must be a seq (digits) or a delivery id (dlv_…), got "yesterday"');
  }, 30_000);

  it('a running `trigger run` picks up a trigger added meanwhile, and stops it when removed', async () => {
    const other = {
      ...c,
      env: { ...c.env, STRIPE_CONNECTOR_DATA: mkdtempSync(join(tmpdir(), 'trigger-later-')) },
    };
    const runner = spawnRunner(other);
    await runner.started;
    expect(runner.stderr()).toContain('running 0 trigger(s)');
    const add = ['trigger', 'add', 'later', '--preset', 'customer-added', '--sink', 'file:later.ndjson'];
    expect((await cli(other, [...add, '--interval', '1s'])).code).toBe(0);
    await until(() => runner.stderr().includes('trigger later: running'));
    const id = await customer('later@x.test', 7);
    const out = join(c.cwd, 'later.ndjson');
    await until(() => readLines(out).some((l) => l.data.id === id));
    expect((await cli(other, ['trigger', 'remove', 'later'])).code).toBe(0);
    await customer('after-removal@x.test', 8);
    await new Promise((r) => setTimeout(r, 3000)); // past a check of the store and a poll interval
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);
    expect(readLines(out).map((l) => l.data.id)).toEqual([id]);
  }, 60_000);
});
