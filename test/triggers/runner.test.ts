/**
 * The runner of `trigger run` on a real store (SQLite) against the emulator: one odd input never
 * stalls a trigger unseen. An event stored before the sources refused such events is dead-lettered
 * with its reason and the ones behind it are delivered in order; reading the deliveries never fails
 * on it. A replay reaches a file sink again. A trigger whose sink cannot be made fails alone, and
 * is delivered once it can. Triggers added, changed or removed while it runs are followed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUntilSignal } from '../../src/lifecycle.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { InboxEvent } from '../../src/triggers/ports.ts';
import { triggerServices, type RunOptions } from '../../src/triggers/runner.ts';
import { deliveryId } from '../../src/triggers/delivery-id.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { storePorts } from '../../src/triggers/store/ports.ts';
import { useEmulator } from '../entities/support/env.ts';
import { readLines, until } from './support/processes.ts';

const env = useEmulator();

/** Runs the store's triggers while `body` runs; answers the log lines. */
async function runWhile(
  store: Store,
  body: (running: () => string[], logs: string[]) => Promise<void>,
  extra: Partial<RunOptions> = {},
) {
  const logs: string[] = [];
  const stop = new AbortController();
  const { services, supervisor } = await triggerServices({
    store,
    ctx: env.ctx,
    log: (l) => logs.push(l),
    idleMs: 20,
    watchMs: 50,
    ...extra,
  });
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => (started = r));
  const running = runUntilSignal(services, { signal: stop.signal, signals: [], onStarted: () => started() });
  await ready;
  try {
    await body(() => supervisor.running(), logs);
  } finally {
    stop.abort();
    await running;
  }
  return logs;
}

const event = (n: number): InboxEvent => ({
  id: `evt_odd_${n}`,
  type: 'customer.created',
  created: 1_700_000_000 + n,
  data: { object: { id: `cus_${n}`, object: 'customer' } },
  source: 'webhook',
});

describe('trigger run: nothing stalls unseen', () => {
  it('a stored event without created is dead-lettered with its reason; the ones behind it go, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trigger-odd-'));
    const out = join(dir, 'out.ndjson');
    const store = await openStore({ dataDir: dir });
    const service = new TriggerService(store, env.ctx.catalog);
    await service.add({
      name: 'odd',
      source: 'webhook',
      events: ['customer.created'],
      interval: '1h',
      sink: `file:${out}`,
    });
    // As a receiver without the door's check stored it.
    const { created: _created, ...noCreated } = event(2);
    const ports = storePorts({ store, worker: 'test' });
    await ports.inbox.put('odd', [event(1), noCreated as InboxEvent, event(3)]);
    await ports.close();
    const logs = await runWhile(store, async () => {
      await until(() => readLines(out).length === 2);
      await until(async () => (await store.deliveries.counts('odd')).dead === 1);
    });
    expect(readLines(out).map((l) => l.event_id)).toEqual(['evt_odd_1', 'evt_odd_3']);
    const reason = 'the event cannot be delivered: created: missing (an integer, epoch seconds)';
    expect(await store.deliveries.counts('odd')).toMatchObject({
      running: 0,
      queued: 0,
      succeeded: 2,
      dead: 1,
    });
    const deliveries = await service.deliveries('odd', { order: 'asc' });
    expect(deliveries[1]).toMatchObject({
      eventId: 'evt_odd_2',
      eventCreated: null,
      status: 'dead',
      attempts: 1,
      lastError: reason,
    });
    expect((await service.deadLetters('odd')).map((d) => d.eventId)).toEqual(['evt_odd_2']);
    expect((await service.status('odd'))[0]).toMatchObject({ pending: 0, delivered: 2, dead: 1, lag: 0 });
    expect(logs.join('\n')).toContain(
      `odd: delivery ${deliveries[1].id} dead-lettered after 1 attempt: ${reason}`,
    );
    await store.close();
  }, 30_000);

  it('trigger replay to a file sink writes the replayed deliveries again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trigger-replay-'));
    const out = join(dir, 'out.ndjson');
    const store = await openStore({ dataDir: dir });
    const service = new TriggerService(store, env.ctx.catalog);
    await service.add({
      name: 'replayed',
      source: 'webhook',
      events: ['customer.created'],
      interval: '1h',
      sink: `file:${out}`,
    });
    const ports = storePorts({ store, worker: 'test' });
    await ports.inbox.put('replayed', [event(1), event(2)]);
    await ports.close();
    await runWhile(store, () => until(() => readLines(out).length === 2));
    const replay = await service.replay('replayed', { from: 1_700_000_000, to: 1_700_000_010 });
    expect(replay.replayed).toBe(2);
    // A runner started afresh: its file sink reads the file's end, which holds both deliveries.
    await runWhile(store, () => until(() => readLines(out).length === 4));
    expect(readLines(out).map((l) => l.event_id)).toEqual([
      'evt_odd_1',
      'evt_odd_2',
      'evt_odd_1',
      'evt_odd_2',
    ]);
    expect((await store.deliveries.counts('replayed')).succeeded).toBe(2);
    await store.close();
  }, 30_000);

  it('a trigger whose sink cannot be made fails alone (reported, its deliveries wait); fixed, it delivers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trigger-sink-'));
    const out = join(dir, 'out.ndjson');
    const secretFile = join(dir, 'hook.secret');
    const key = `whsec_${Buffer.from('a signing key of 24 bytes').toString('base64')}`;
    writeFileSync(secretFile, key);
    const got: string[] = [];
    const receiver = createServer((req, res) => {
      got.push(String(req.headers['webhook-id']));
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const store = await openStore({ dataDir: dir });
    const service = new TriggerService(store, env.ctx.catalog);
    const common = { source: 'webhook' as const, events: ['customer.created'], interval: '1h' };
    await service.add({ ...common, name: 'plain', sink: `file:${out}` });
    await service.add({
      ...common,
      name: 'signed',
      sink: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      sinkSecret: `file:${secretFile}`,
    });
    // The key went bad after the add checked it.
    writeFileSync(secretFile, 'whsec_not*base64!');
    const ports = storePorts({ store, worker: 'test' });
    await ports.inbox.put('plain', [event(1)]);
    await ports.inbox.put('signed', [event(1)]);
    await ports.close();
    const logs = await runWhile(store, async () => {
      await until(() => readLines(out).length === 1);
      const [failing] = await service.status('signed');
      expect(failing).toMatchObject({ state: 'failing', pending: 1, delivered: 0 });
      expect(failing.failing?.reason).toBe(
        `its sink cannot be made, deliveries wait: signed.sinkSecret: file:${secretFile} does not hold a signing key, whsec_ then base64 (Base64Coder: incorrect characters for decoding)`,
      );
      await new Promise((r) => setTimeout(r, 200)); // a few checks, each trying the sink again
      writeFileSync(secretFile, key);
      await until(() => got.length === 1);
      await until(async () => (await service.status('signed'))[0].state === 'active');
    });
    receiver.close();
    expect(got).toEqual([deliveryId('signed', 'evt_odd_1')]);
    const warnings = logs.filter((l) => l.startsWith('trigger signed: failing'));
    expect(warnings).toHaveLength(1);
    expect(logs.join('\n')).not.toContain('not*base64');
    expect(logs).toContain('trigger signed: recovered, delivering');
    await store.close();
  }, 30_000);

  it('follows the store while it runs: a trigger added is run, a changed one restarted, a removed one stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trigger-watch-'));
    const [first, second] = [join(dir, 'first.ndjson'), join(dir, 'second.ndjson')];
    const store = await openStore({ dataDir: dir });
    const service = new TriggerService(store, env.ctx.catalog);
    const put = async (n: number) => {
      const ports = storePorts({ store, worker: 'test' });
      await ports.inbox.put('later', [event(n)]);
      await ports.close();
    };
    const common = {
      name: 'later',
      source: 'webhook' as const,
      events: ['customer.created'],
      interval: '1h',
    };
    await runWhile(store, async (running, logs) => {
      expect(running()).toEqual([]);
      await service.add({ ...common, sink: `file:${first}` });
      await put(1);
      await until(() => readLines(first).length === 1);
      await service.add({ ...common, sink: `file:${second}` });
      const started = () => logs.filter((l) => l === 'trigger later: running (webhook on default)').length;
      await until(() => started() === 2);
      await put(2);
      await until(() => readLines(second).length === 1);
      expect(readLines(first)).toHaveLength(1);
      await service.remove('later');
      await until(() => !running().includes('later'));
    });
    await store.close();
  }, 30_000);
});
