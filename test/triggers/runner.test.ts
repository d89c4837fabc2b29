/**
 * The runner on a real store (SQLite) against the emulator: one odd input never stalls a trigger
 * unseen. An event stored before the sources refused such events is dead-lettered with its reason
 * and the ones behind it are delivered in order; reading the deliveries never fails on it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUntilSignal } from '../../src/lifecycle.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { InboxEvent } from '../../src/triggers/ports.ts';
import { triggerServices, type RunOptions } from '../../src/triggers/runner.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { storePorts } from '../../src/triggers/store/ports.ts';
import { useEmulator } from '../entities/support/env.ts';
import { readLines, until } from './support/processes.ts';

const env = useEmulator();

/** Runs the store's triggers while `body` runs; answers the log lines. */
async function runWhile(store: Store, body: () => Promise<void>, extra: Partial<RunOptions> = {}) {
  const logs: string[] = [];
  const stop = new AbortController();
  const { services } = await triggerServices({
    store,
    ctx: env.ctx,
    log: (l) => logs.push(l),
    idleMs: 20,
    ...extra,
  });
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => (started = r));
  const running = runUntilSignal(services, { signal: stop.signal, signals: [], onStarted: () => started() });
  await ready;
  try {
    await body();
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

describe('runner: one odd input', () => {
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
});
