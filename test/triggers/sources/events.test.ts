import { describe, expect, it } from 'vitest';
import { pollEvents, type EventsCheckpoint } from '../../../src/triggers/sources/events.ts';
import { EVENT_RETENTION_S } from '../../../src/triggers/sources/retention.ts';
import type { RetentionNotice } from '../../../src/triggers/sources/retention.ts';
import { useEmulator } from '../../entities/support/env.ts';
import { loadEvents } from '../support/events.ts';
import { MemoryCheckpoints, MemoryInbox } from '../support/memory.ts';

const env = useEmulator();
let base = Math.floor(Date.now() / 1000) - 20_000;
/** A fresh time range per test, so tests sharing the emulator do not see each other's events. */
const range = () => (base += 2000);

function poller(trigger: string, types: string[], at: number, extra: object = {}) {
  const inbox = new MemoryInbox();
  const checkpoints = new MemoryCheckpoints();
  const clock = { now: at };
  const poll = () =>
    pollEvents({
      gateway: env.ctx.gateway,
      inbox,
      checkpoints,
      trigger,
      types,
      now: () => clock.now,
      ...extra,
    });
  return { inbox, checkpoints, clock, poll };
}

describe('events poller', () => {
  it('walks more than 100 events forward, oldest first, in Stripe order within a second', async () => {
    const t0 = range();
    const p = poller('forward', ['invoice.paid'], t0 - 1);
    loadEvents(env.emulator, [{ type: 'invoice.paid', created: t0 - 5 }]); // before the start: not delivered
    await p.poll(); // starts the checkpoint at t0 - 1
    // 250 events, four per second: ties within a second must keep Stripe's order too.
    const loaded = loadEvents(
      env.emulator,
      Array.from({ length: 250 }, (_, i) => ({ type: 'invoice.paid', created: t0 + Math.floor(i / 4) })),
    );
    env.emulator.clearRequests();
    const first = await p.poll();
    expect(first.inserted).toBe(250);
    // Each event listed once (dedup must not be what hides a wrong cursor): the anchor look-up, then
    // three pages of 100 walking forward (the first poll, a moment ago, read the overlap window).
    expect(first.listed).toBe(250);
    expect(env.emulator.requests.filter((r) => r.path.startsWith('/v1/events')).length).toBe(4);
    expect(p.inbox.ids('forward')).toEqual(loaded.map((e) => e.id));
    expect((await p.poll()).inserted).toBe(0);
    const more = loadEvents(
      env.emulator,
      Array.from({ length: 30 }, (_, i) => ({ type: 'invoice.paid', created: t0 + 100 + i })),
    );
    expect((await p.poll()).inserted).toBe(30);
    expect(p.inbox.ids('forward')).toEqual([...loaded, ...more].map((e) => e.id));
  });

  it('a crash between storing a batch and moving the checkpoint loses nothing and duplicates nothing', async () => {
    const t0 = range();
    const p = poller('crashy', ['plan.created'], t0 - 1, { batchSize: 40 });
    await p.poll();
    const loaded = loadEvents(
      env.emulator,
      Array.from({ length: 150 }, (_, i) => ({ type: 'plan.created', created: t0 + i })),
    );
    const set = p.checkpoints.set.bind(p.checkpoints);
    let writes = 0;
    p.checkpoints.set = async (trigger, value) => {
      if (++writes === 3) throw new Error('killed');
      return set(trigger, value);
    };
    await expect(p.poll()).rejects.toThrow('killed');
    expect(p.inbox.ids('crashy').length).toBeGreaterThan(0);
    p.checkpoints.set = set;
    await p.poll();
    expect(p.inbox.ids('crashy')).toEqual(loaded.map((e) => e.id));
  });

  it('does not deliver events from before the trigger started', async () => {
    const t0 = range();
    loadEvents(env.emulator, [{ type: 'payout.paid', created: t0 - 10 }]);
    const p = poller('fresh', ['payout.paid'], t0);
    const later = loadEvents(env.emulator, [{ type: 'payout.paid', created: t0 + 5 }]);
    await p.poll();
    expect(p.inbox.ids('fresh')).toEqual(later.map((e) => e.id));
  });

  it('begins when the trigger was added: events made before its first poll are delivered, older ones not', async () => {
    const added = range();
    loadEvents(env.emulator, [{ type: 'payout.paid', created: added - 1 }]);
    const since = loadEvents(env.emulator, [
      { type: 'payout.paid', created: added },
      { type: 'payout.paid', created: added + 30 },
    ]);
    const p = poller('added-earlier', ['payout.paid'], added + 90, { startAt: async () => added });
    await p.poll();
    expect(p.inbox.ids('added-earlier')).toEqual(since.map((e) => e.id));
    await p.poll();
    expect(p.inbox.ids('added-earlier')).toHaveLength(2);
  });

  it('splits more than 20 types into several walks and merges them in created order', async () => {
    const t0 = range();
    const types = Array.from({ length: 45 }, (_, i) =>
      `source.t${String(i).padStart(2, '0')}`.replace(/\d/g, (d) => 'abcdefghij'[+d]),
    );
    const p = poller('many', types, t0 - 1);
    await p.poll();
    const loaded = loadEvents(
      env.emulator,
      Array.from({ length: 180 }, (_, i) => ({ type: types[(i * 7) % 45], created: t0 + i })),
    );
    loadEvents(env.emulator, [{ type: 'source.other', created: t0 + 3 }]);
    env.emulator.clearRequests();
    await p.poll();
    expect(p.inbox.ids('many')).toEqual(loaded.map((e) => e.id));
    // Nothing older to anchor on: each walk went back to its oldest page and on from there.
    expect((await p.poll()).inserted).toBe(0);
    const calls = env.emulator.requests.filter((r) => r.path.startsWith('/v1/events'));
    expect(calls.length).toBeGreaterThan(3);
    for (const call of calls) expect(((call.query.types as string[]) ?? []).length).toBeLessThanOrEqual(20);
    expect(new Set(calls.map((c) => JSON.stringify(c.query.types))).size).toBe(3);
  });

  it('re-reads the overlap window: a late event older than the checkpoint is delivered once', async () => {
    const t0 = range();
    const p = poller('late', ['charge.refunded'], t0 - 1);
    await p.poll();
    const early = loadEvents(
      env.emulator,
      Array.from({ length: 5 }, (_, i) => ({ type: 'charge.refunded', created: t0 + 10 + i })),
    );
    p.clock.now = t0 + 15;
    await p.poll();
    // Stripe's list is eventually consistent: this one shows up only now, dated before the last seen.
    const late = loadEvents(env.emulator, [{ type: 'charge.refunded', created: t0 + 12 }]);
    // The window is re-read every 10 s (a sixth of 60 s), not on every poll.
    expect((await p.poll()).inserted).toBe(0);
    p.clock.now += 10;
    const again = await p.poll();
    expect(again.inserted).toBe(1);
    p.clock.now += 10;
    expect((await p.poll()).inserted).toBe(0);
    expect(p.inbox.ids('late')).toEqual([...early, ...late].map((e) => e.id));
  });

  it('re-reads the overlap window once every sixth of it, not on every poll (and not again after a restart)', async () => {
    const t0 = range();
    loadEvents(
      env.emulator,
      Array.from({ length: 250 }, (_, i) => ({ type: 'charge.expired', created: t0 + 1 + (i % 50) })),
    );
    const p = poller('reread', ['charge.expired'], t0 + 51, { startAt: async () => t0 });
    const calls = () => env.emulator.requests.filter((r) => r.path.startsWith('/v1/events')).length;
    expect((await p.poll()).inserted).toBe(250);
    const reads: number[] = [];
    for (let poll = 0; poll < 20; poll++) {
      p.clock.now += 1;
      const before = calls();
      await p.poll();
      reads.push(calls() - before);
    }
    // One list call per poll; every 10th poll also re-reads the 60 s window (250 events: 3 pages).
    expect(reads.filter((n) => n > 1)).toEqual([4, 4]);
    expect(reads.filter((n) => n === 1)).toHaveLength(18);
    expect(p.inbox.ids('reread')).toHaveLength(250);
  });

  it('with no overlap window, a late event older than the checkpoint is missed (the window is what catches it)', async () => {
    const t0 = range();
    const p = poller('nolap', ['charge.captured'], t0 - 1, { overlapSeconds: 0 });
    await p.poll();
    loadEvents(env.emulator, [{ type: 'charge.captured', created: t0 + 10 }]);
    p.clock.now = t0 + 11;
    await p.poll();
    loadEvents(env.emulator, [{ type: 'charge.captured', created: t0 + 9 }]);
    expect((await p.poll()).inserted).toBe(0);
  });

  it('a future-dated event is delivered but does not hide the events made after it, across a restart', async () => {
    const t0 = range();
    const p = poller('future', ['invoice.finalized'], t0);
    await p.poll();
    const [a] = loadEvents(env.emulator, [{ type: 'invoice.finalized', created: t0 + 1 }]);
    // Stamped a month ahead of both clocks (a test clock's renewal, or Stripe's clock far off ours).
    const [ahead] = loadEvents(env.emulator, [{ type: 'invoice.finalized', created: t0 + 30 * 86400 }]);
    p.clock.now = t0 + 2;
    expect((await p.poll()).inserted).toBe(2);
    const cp = (await p.checkpoints.get<EventsCheckpoint>('future'))!;
    expect(cp.created).toBeLessThanOrEqual(p.clock.now);
    const [b] = loadEvents(env.emulator, [{ type: 'invoice.finalized', created: t0 + 5 }]);
    p.clock.now = t0 + 6;
    expect((await p.poll()).inserted).toBe(1);
    // A restart has only what was stored: the checkpoint must not have jumped ahead either.
    const restarted = { ...p, checkpoints: new MemoryCheckpoints(), clock: { now: t0 + 9 } };
    for (const [k, v] of p.checkpoints.values) await restarted.checkpoints.set(k, v);
    const poll = () =>
      pollEvents({
        gateway: env.ctx.gateway,
        inbox: p.inbox,
        checkpoints: restarted.checkpoints,
        trigger: 'future',
        types: ['invoice.finalized'],
        now: () => restarted.clock.now,
      });
    const [c] = loadEvents(env.emulator, [{ type: 'invoice.finalized', created: t0 + 8 }]);
    expect((await poll()).inserted).toBe(1);
    expect(p.inbox.ids('future')).toEqual([a.id, ahead.id, b.id, c.id]);
    // Once our clock passes it, the cursor moves over it and it is not listed again.
    restarted.clock.now = t0 + 30 * 86400 + 1;
    await poll();
    expect((await poll()).listed).toBe(0);
  });

  it('a future-dated event as the first one ever seen does not hide what follows it', async () => {
    const t0 = range();
    const p = poller('future-first', ['invoice.sent'], t0);
    await p.poll();
    const [ahead] = loadEvents(env.emulator, [{ type: 'invoice.sent', created: t0 + 3600 }]);
    p.clock.now = t0 + 1;
    await p.poll();
    const later = loadEvents(env.emulator, [
      { type: 'invoice.sent', created: t0 + 2 },
      { type: 'invoice.sent', created: t0 + 2 },
    ]);
    p.clock.now = t0 + 3;
    expect((await p.poll()).inserted).toBe(2);
    expect(p.inbox.ids('future-first')).toEqual([ahead.id, ...later.map((e) => e.id)]);
  });

  it('a checkpoint left ahead of our clock (by an older version) walks again and delivers what it skipped', async () => {
    const t0 = range();
    const p = poller('jumped', ['invoice.voided'], t0 + 10);
    const [ahead] = loadEvents(env.emulator, [{ type: 'invoice.voided', created: t0 + 30 * 86400 }]);
    const skipped = loadEvents(env.emulator, [
      { type: 'invoice.voided', created: t0 + 2 },
      { type: 'invoice.voided', created: t0 + 7 },
    ]);
    await p.inbox.put('jumped', [
      { id: ahead.id, type: ahead.type, created: ahead.created, data: { object: {} }, source: 'events' },
    ]);
    await p.checkpoints.set<EventsCheckpoint>('jumped', {
      created: ahead.created,
      ids: [ahead.id],
      anchors: { 'invoice.voided': ahead.id },
      polledAt: t0 + 5,
      start: t0,
      startIds: [],
    });
    expect((await p.poll()).inserted).toBe(2);
    expect(p.inbox.ids('jumped')).toEqual([ahead.id, ...skipped.map((e) => e.id)]);
    expect((await p.checkpoints.get<EventsCheckpoint>('jumped'))!.created).toBe(t0 + 7);
  });

  it('warns before the checkpoint leaves the 30-day retention and reports the lost window after', async () => {
    const t0 = range();
    const notices: RetentionNotice[] = [];
    const p = poller('old', ['coupon.created'], t0, { onNotice: (n: RetentionNotice) => notices.push(n) });
    await p.poll();
    const cp = (await p.checkpoints.get<EventsCheckpoint>('old')) as EventsCheckpoint;
    p.clock.now = cp.polledAt + EVENT_RETENTION_S - 3600;
    await p.poll();
    expect(notices).toEqual([
      { kind: 'retention-near', trigger: 'old', polledAt: cp.polledAt, secondsLeft: 3600 },
    ]);
    // Pretend the runner was off for longer than Stripe keeps events.
    await p.checkpoints.set('old', { ...cp, polledAt: t0 - EVENT_RETENTION_S - 500 });
    p.clock.now = t0;
    const result = await p.poll();
    expect(result.lost).toEqual({ from: t0 - EVENT_RETENTION_S - 500, to: t0 - EVENT_RETENTION_S });
    expect(notices.at(-1)?.kind).toBe('events-lost');
  });

  it('skips a listed event that lacks what delivery needs, saying why; the events around it are stored', async () => {
    const t0 = range();
    const refused: string[] = [];
    const p = poller('odd', ['customer.updated'], t0 - 1, {
      onRefused: (id: string, why: string) => refused.push(`${id}: ${why}`),
    });
    await p.poll();
    const [before] = loadEvents(env.emulator, [{ type: 'customer.updated', created: t0 }]);
    env.emulator.load('event', [
      { id: 'evt_no_object', type: 'customer.updated', created: t0 + 1, data: {} },
    ]);
    const [after] = loadEvents(env.emulator, [{ type: 'customer.updated', created: t0 + 2 }]);
    expect((await p.poll()).inserted).toBe(2);
    expect(p.inbox.ids('odd')).toEqual([before.id, after.id]);
    expect(refused).toEqual(['evt_no_object: data.object: missing (the object the event is about)']);
  });
});
