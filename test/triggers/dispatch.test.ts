import { describe, expect, it } from 'vitest';
import { Dispatcher, type DispatchNotice, type DispatchTrigger } from '../../src/triggers/dispatch.ts';
import type { InboxEvent } from '../../src/triggers/ports.ts';
import { parseFields } from '../../src/triggers/project.ts';
import type { Sink, SinkMessage, SinkOutcome } from '../../src/triggers/sinks/types.ts';
import { MemoryInbox, MemoryQueue } from './support/memory.ts';

const event = (n: number): InboxEvent => ({
  id: `evt_${String(n).padStart(4, '0')}`,
  type: 'customer.created',
  created: 1_700_000_000 + n,
  data: { object: { id: `cus_${n}`, balance: n, email: `${n}@x.y` } },
  source: 'events',
});

async function queueWith(trigger: string, count: number): Promise<MemoryQueue> {
  const queue = new MemoryQueue();
  await new MemoryInbox(queue).put(
    trigger,
    Array.from({ length: count }, (_, i) => event(i)),
  );
  return queue;
}

/** A sink answering by a script; records what it got and how many sends overlapped. */
function scriptedSink(answer: (m: SinkMessage, nth: number) => SinkOutcome, delayMs = 0) {
  const got: SinkMessage[] = [];
  const state = { inflight: 0, maxInflight: 0 };
  const sink: Sink = {
    async send(m) {
      state.inflight++;
      state.maxInflight = Math.max(state.maxInflight, state.inflight);
      got.push(m);
      await new Promise((r) => setTimeout(r, delayMs));
      state.inflight--;
      return answer(m, got.filter((g) => g.id === m.id).length);
    },
    close: async () => undefined,
  };
  return { sink, got, state };
}

function trigger(sink: Sink, extra: Partial<DispatchTrigger> = {}): DispatchTrigger {
  return {
    name: 't',
    mode: 'ordered',
    concurrency: 1,
    rateLimit: 10_000,
    sink,
    sinkKey: 's',
    maxAttempts: 10,
    maxAgeMs: 3_600_000,
    backoff: { baseMs: 1, maxMs: 5 },
    ...extra,
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('dispatcher', () => {
  it('ordered: acks in queue order, one at a time, retried deliveries hold the ones behind them', async () => {
    const queue = await queueWith('t', 40);
    const flaky = new Set([3, 4, 17, 30].map((n) => `cus_${n}`));
    const { sink, got, state } = scriptedSink((m, nth) =>
      flaky.has(m.data.id as string) && nth < 3 ? { kind: 'retry', error: '503' } : { kind: 'ack' },
    );
    const acked: string[] = [];
    const d = new Dispatcher({ queue, onNotice: (n) => n.kind === 'delivered' && acked.push(n.delivery) });
    d.run(trigger(sink));
    await until(() => queue.count('acked') === 40);
    await d.stop();
    expect(acked).toEqual(queue.rows.map((r) => r.id));
    expect(state.maxInflight).toBe(1);
    expect(got).toHaveLength(48);
    // The same delivery id on every retry.
    expect(got.filter((m) => m.data.id === 'cus_3').map((m) => m.id)).toEqual(
      Array(3).fill(queue.rows[3].id),
    );
  });

  it('a stopped dispatcher drains what is in flight; a new one carries on from the queue', async () => {
    const queue = await queueWith('t', 20);
    const { sink, got } = scriptedSink(() => ({ kind: 'ack' }), 2);
    const first = new Dispatcher({ queue });
    first.run(trigger(sink));
    await until(() => queue.count('acked') >= 5);
    await first.stop();
    const acked = queue.count('acked');
    expect(got).toHaveLength(acked); // nothing was sent without its result stored
    const second = new Dispatcher({ queue });
    second.run(trigger(sink));
    await until(() => queue.count('acked') === 20);
    await second.stop();
    expect(got.map((m) => m.id)).toEqual(queue.rows.map((r) => r.id));
  });

  it('parallel: several at once, never more than the bound', async () => {
    const queue = await queueWith('t', 30);
    const { sink, state } = scriptedSink(() => ({ kind: 'ack' }), 20);
    const d = new Dispatcher({ queue });
    d.run(trigger(sink, { mode: 'parallel', concurrency: 4 }));
    await until(() => queue.count('acked') === 30);
    await d.stop();
    expect(state.maxInflight).toBe(4);
  });

  it('ordered: the next send goes once the sink acknowledged, not once the ack is stored; a run ends stored', async () => {
    const queue = await queueWith('t', 10);
    const writes: Array<() => void> = [];
    const ack = queue.ack.bind(queue);
    // Ack writes that take their time, as a commit behind a burst of webhooks does.
    queue.ack = (d) => new Promise((resolve) => writes.push(() => void ack(d).then(resolve)));
    const { sink, got, state } = scriptedSink(() => ({ kind: 'ack' }));
    const acked: string[] = [];
    const d = new Dispatcher({ queue, onNotice: (n) => n.kind === 'delivered' && acked.push(n.delivery) });
    d.run(trigger(sink));
    await until(() => writes.length === 10);
    // All ten sent and acknowledged by the sink, one at a time, while not one ack had been stored.
    expect([state.maxInflight, queue.count('acked'), got.length]).toEqual([1, 0, 10]);
    const stopping = d.stop();
    await new Promise((r) => setTimeout(r, 20));
    writes.forEach((w) => w());
    await stopping;
    expect(queue.count('acked')).toBe(10);
    expect(acked).toEqual(queue.rows.map((r) => r.id));
  });

  it('parallel: claims in batches of a quarter of the bound, not one claim per freed slot', async () => {
    const queue = await queueWith('t', 64);
    let claims = 0;
    const claim = queue.claim.bind(queue);
    queue.claim = (...args) => (claims++, claim(...args));
    const { sink, state } = scriptedSink(() => ({ kind: 'ack' }), 3);
    const d = new Dispatcher({ queue });
    d.run(trigger(sink, { mode: 'parallel', concurrency: 8 }));
    await until(() => queue.count('acked') === 64);
    await d.stop();
    expect(state.maxInflight).toBe(8);
    // 8 at first, then at least 2 at a time (1 + 56 / 2 claims), and one finding nothing per send
    // settling at the end; one claim per freed slot would be 57 + 8.
    expect(claims).toBeLessThanOrEqual(1 + 28 + 8);
  });

  for (const mode of ['ordered', 'parallel'] as const)
    it(`${mode}: a wake while it is busy sending is not lost (what was queued meanwhile goes without waiting for the idle tick)`, async () => {
      const queue = await queueWith('t', 1);
      const { sink, got } = scriptedSink(() => ({ kind: 'ack' }), 30);
      const d = new Dispatcher({ queue, idleMs: 60_000 });
      d.run(trigger(sink, { mode, concurrency: 4 }));
      await until(() => got.length === 1);
      // Queued while the first is at the sink: the claim has been made, the dispatcher is not idle.
      await new MemoryInbox(queue).put('t', [event(1), event(2)]);
      d.wake('t');
      await until(() => queue.count('acked') === 3);
      await d.stop();
      expect(got.map((m) => m.data.id)).toEqual(['cus_0', 'cus_1', 'cus_2']);
    });

  it('dead-letters after N attempts and moves on to the next delivery', async () => {
    const queue = await queueWith('t', 3);
    const { sink } = scriptedSink((m) =>
      m.data.id === 'cus_0' ? { kind: 'retry', error: '500' } : { kind: 'ack' },
    );
    const d = new Dispatcher({ queue });
    d.run(trigger(sink, { maxAttempts: 3 }));
    await until(() => queue.count('acked') === 2);
    await d.stop();
    expect(queue.rows[0]).toMatchObject({ state: 'dead', attempts: 3, error: '500 (after 3 attempts)' });
  });

  for (const mode of ['ordered', 'parallel'] as const)
    it(`${mode}: an event no message can be made of is dead-lettered with its reason; the rest go on`, async () => {
      const queue = new MemoryQueue();
      const { created: _created, ...noCreated } = event(1);
      await new MemoryInbox(queue).put('t', [event(0), noCreated as InboxEvent, event(2)]);
      const { sink, got } = scriptedSink(() => ({ kind: 'ack' }));
      const notices: DispatchNotice[] = [];
      const d = new Dispatcher({ queue, onNotice: (n) => notices.push(n) });
      d.run(trigger(sink, { mode, concurrency: 4 }));
      await until(() => queue.count('acked') === 2 && queue.count('dead') === 1);
      await d.stop();
      const reason = 'the event cannot be delivered: created: missing (an integer, epoch seconds)';
      expect(queue.rows[1]).toMatchObject({ state: 'dead', claimed: false, attempts: 1, error: reason });
      expect(got.map((m) => m.data.id)).toEqual(['cus_0', 'cus_2']);
      expect(notices).toContainEqual({
        kind: 'dead',
        trigger: 't',
        delivery: queue.rows[1].id,
        attempts: 1,
        error: reason,
      });
    });

  it('a sink that throws instead of answering fails the attempt (retried), never holds the claim', async () => {
    const queue = await queueWith('t', 2);
    let throws = 2;
    const sink: Sink = {
      send: (m) => {
        if (m.data.id === 'cus_0' && throws-- > 0) throw new Error('not ready');
        return Promise.resolve({ kind: 'ack' });
      },
      close: async () => undefined,
    };
    const d = new Dispatcher({ queue });
    d.run(trigger(sink));
    await until(() => queue.count('acked') === 2);
    await d.stop();
    expect(queue.rows[0]).toMatchObject({ attempts: 2, error: 'sink failed: not ready' });
  });

  it('a result the store could not write gives the claim back: the delivery goes again, never stuck', async () => {
    const queue = await queueWith('t', 2);
    const retry = queue.retry.bind(queue);
    let failWrites = 1;
    queue.retry = (...args) =>
      failWrites-- > 0 ? Promise.reject(new Error('disk I/O error')) : retry(...args);
    const { sink } = scriptedSink((m, nth) =>
      m.data.id === 'cus_0' && nth === 1 ? { kind: 'retry', error: '503' } : { kind: 'ack' },
    );
    const notices: DispatchNotice[] = [];
    const d = new Dispatcher({ queue, idleMs: 5, onNotice: (n) => notices.push(n) });
    d.run(trigger(sink));
    await until(() => queue.count('acked') === 2);
    await d.stop();
    expect(notices).toContainEqual({ kind: 'store-error', trigger: 't', error: 'disk I/O error' });
  });

  it('disables the trigger when the sink answers 410, leaving the delivery pending', async () => {
    const queue = await queueWith('t', 3);
    const { sink, got } = scriptedSink((m) =>
      m.data.id === 'cus_1' ? { kind: 'gone', error: 'sink answered 410' } : { kind: 'ack' },
    );
    const notices: DispatchNotice[] = [];
    const d = new Dispatcher({ queue, onNotice: (n) => notices.push(n) });
    d.run(trigger(sink));
    await until(() => queue.disabled.size === 1);
    await d.stop();
    expect(queue.disabled.get('t')).toBe('sink answered 410');
    expect(queue.rows.map((r) => r.state)).toEqual(['acked', 'pending', 'pending']);
    expect(got).toHaveLength(2);
    expect(notices.at(-1)).toEqual({ kind: 'disabled', trigger: 't', error: 'sink answered 410' });
  });

  it('stores the Retry-After time and does not send again before it', async () => {
    const queue = await queueWith('t', 2);
    let now = 1_000_000;
    const { sink, got } = scriptedSink((m, nth) =>
      m.data.id === 'cus_0' && nth === 1
        ? { kind: 'retry', error: '429', retryAfterMs: 30_000 }
        : { kind: 'ack' },
    );
    queue.clock = () => now;
    const d = new Dispatcher({ queue, clock: () => now, idleMs: 5 });
    d.run(trigger(sink));
    await until(() => queue.rows[0].attempts === 1);
    expect(queue.rows[0].notBefore).toBeGreaterThanOrEqual(1_030_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(1); // the head waits, and so does the one behind it
    now += 30_000;
    d.wake('t');
    await until(() => queue.count('acked') === 2);
    await d.stop();
  });

  it('keeps to the trigger rate limit and the sink rate limit (on a fake clock)', async () => {
    const queue = await queueWith('t', 12);
    let now = 0;
    const sleep = async (ms: number) => {
      now += ms;
      await new Promise((r) => setImmediate(r));
    };
    const times: number[] = [];
    const { sink } = scriptedSink(() => (times.push(now), { kind: 'ack' }));
    const d = new Dispatcher({ queue, clock: () => now, sleep, sinkRates: { s: 2 } });
    d.run(trigger(sink, { rateLimit: 4 }));
    await until(() => queue.count('acked') === 12);
    await d.stop();
    // The sink's 2/s is the tighter: a burst of 2, then one every 500 ms.
    expect(times.at(-1)).toBeGreaterThanOrEqual(5000);
    times.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(Math.max(0, i - 1) * 500));
  });

  it('projects the object to the trigger fields, renames included', async () => {
    const queue = await queueWith('t', 1);
    const { sink, got } = scriptedSink(() => ({ kind: 'ack' }));
    const d = new Dispatcher({ queue });
    d.run(trigger(sink, { fields: parseFields(['id', 'account_balance=balance']) }));
    await until(() => got.length === 1);
    await d.stop();
    expect(got[0]).toMatchObject({
      type: 'customer.created',
      event_id: 'evt_0000',
      data: { id: 'cus_0', account_balance: 0 },
    });
    expect(Object.keys(got[0].data)).toEqual(['id', 'account_balance']);
  });
});
