/** The trigger ports on the real store (SQLite in a temp dir): dedup, atomic checkpoints, claims. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.ts';
import { Dispatcher } from '../../src/triggers/dispatch.ts';
import type { InboxEvent } from '../../src/triggers/ports.ts';
import { storePorts, type StorePorts } from '../../src/triggers/store/ports.ts';
import { recoverDeadWorkers } from '../../src/triggers/store/recover.ts';
import type { Sink, SinkMessage } from '../../src/triggers/sinks/types.ts';
import { listenWebhooks } from '../../src/triggers/sources/listener.ts';
import { webhookSignature } from '../../src/emulator/index.ts';

const event = (n: number): InboxEvent => ({
  id: `evt_${n}`,
  type: 'customer.created',
  created: 1_700_000_000 + n,
  data: { object: { id: `cus_${n}` } },
  source: 'events',
});

let store: Store;
let ports: StorePorts;
beforeEach(async () => {
  store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'trigger-ports-')) });
  ports = storePorts({ store, worker: 'w1', leaseMs: 60_000 });
});
afterEach(async () => {
  await ports.close();
  await store.close();
});

describe('store-backed trigger ports', () => {
  it('dedups by event id per trigger: one delivery each, whatever the number of puts', async () => {
    const [a, b] = await Promise.all([
      ports.inbox.put('t', [event(1), event(2)]),
      ports.inbox.put('t', [event(2), event(3)]),
    ]);
    expect([...a.inserted, ...b.inserted].sort()).toEqual(['evt_1', 'evt_2', 'evt_3']);
    expect((await ports.inbox.put('u', [event(1)])).inserted).toEqual(['evt_1']);
    expect((await store.deliveries.counts('t')).queued).toBe(3);
  });

  it('moves the checkpoint in the transaction of its events: a failure in between keeps neither', async () => {
    await expect(
      ports.atomic(async ({ inbox, checkpoints }) => {
        await inbox.put('t', [event(1)]);
        await checkpoints.set('t', { created: 5 });
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await ports.checkpoints.get('t')).toBeUndefined();
    expect((await store.deliveries.counts('t')).queued).toBe(0);
    await ports.atomic(async ({ inbox, checkpoints }) => {
      await inbox.put('t', [event(1)]);
      await checkpoints.set('t', { created: 5 });
    });
    expect(await ports.checkpoints.get('t')).toEqual({ created: 5 });
    expect((await store.checkpoints.get('t', 'poll'))?.cursor).toBe('5');
  });

  it('ordered claims take the run at the head and hold the rest; ack, retry and release follow the claim', async () => {
    await ports.inbox.put('t', [event(1), event(2), event(3)]);
    const run = await ports.queue.claim('t', 5, { ordered: true });
    expect(run.map((d) => d.event.id)).toEqual(['evt_1', 'evt_2', 'evt_3']);
    expect(await ports.queue.claim('t', 5, { ordered: true })).toEqual([]);
    const [head, ...rest] = run;
    await ports.queue.retry(head!, {
      attempts: 1,
      firstAttemptAt: 0,
      notBefore: store.now() + 60_000,
      error: '503',
    });
    await ports.queue.release(rest);
    expect(await ports.queue.claim('t', 5, { ordered: true })).toEqual([]); // the head waits, so do the rest
    await store.transaction(async (tx) => void (await tx.jobs.retry(head!.handle, ['queued'])));
    const again = await ports.queue.claim('t', 2, { ordered: true });
    expect(again).toMatchObject([
      { id: head!.id, event: { id: 'evt_1' } },
      { event: { id: 'evt_2' }, attempts: 0 }, // released unsent: no attempt counted
    ]);
    await ports.queue.release(again);
    const [third] = await ports.queue.claim('t', 1, { ordered: true });
    expect(third!.id).toBe(head!.id);
    expect(await ports.queue.ack(third!, store.now())).toBe(true);
    expect(await ports.queue.ack(third!, store.now())).toBe(false); // no longer claimed
    expect((await ports.queue.claim('t', 5, { ordered: true })).map((d) => d.event.id)).toEqual([
      'evt_2',
      'evt_3',
    ]);
  });

  it("takes back a dead local runner's claims at once; a live holder's stay", async () => {
    await ports.inbox.put('t', [event(1), event(2)]);
    const dead = storePorts({
      store,
      worker: `${(await import('node:os')).hostname()}/999999/abc`,
      leaseMs: 60_000,
    });
    const live = storePorts({
      store,
      worker: `${(await import('node:os')).hostname()}/${process.ppid}/abc`,
      leaseMs: 60_000,
    });
    await dead.queue.claim('t', 1, { ordered: false });
    await live.queue.claim('t', 1, { ordered: false });
    expect(await recoverDeadWorkers(store, ['t'])).toEqual({ claims: 1, leases: 0 });
    await new Promise((r) => setTimeout(r, 5));
    const [back] = await ports.queue.claim('t', 5, { ordered: false });
    expect(back.event.id).toBe('evt_1');
    await Promise.all([dead.close(), live.close()]);
  });

  it('a dispatcher on the store delivers each once in order and records it', async () => {
    await ports.inbox.put(
      't',
      Array.from({ length: 30 }, (_, i) => event(i)),
    );
    const got: SinkMessage[] = [];
    const sink: Sink = { send: async (m) => (got.push(m), { kind: 'ack' }), close: async () => undefined };
    const d = new Dispatcher({ queue: ports.queue, idleMs: 10 });
    d.run({
      name: 't',
      mode: 'ordered',
      concurrency: 1,
      rateLimit: 10_000,
      sink,
      sinkKey: 's',
      maxAttempts: 3,
      maxAgeMs: 60_000,
    });
    for (let i = 0; i < 400 && (await store.deliveries.counts('t')).succeeded < 30; i++)
      await new Promise((r) => setTimeout(r, 10));
    await d.stop();
    expect(got.map((m) => m.event_id)).toEqual(Array.from({ length: 30 }, (_, i) => `evt_${i}`));
    expect((await store.deliveries.counts('t')).succeeded).toBe(30);
  });

  it('webhooks on the store: a replay gets 400 and stores nothing, a Stripe retry 200 and is stored once', async () => {
    const listener = await listenWebhooks({
      secrets: () => ['whsec_s'],
      inbox: ports.inbox,
      receive: ports.receive,
      route: () => ['t', 'u'],
    });
    const body = JSON.stringify({
      id: 'evt_w',
      object: 'event',
      type: 'customer.created',
      created: 1,
      data: { object: {} },
    });
    const now = Math.floor(Date.now() / 1000);
    const send = (t: number) =>
      fetch(listener.url, {
        method: 'POST',
        body,
        headers: { 'stripe-signature': webhookSignature(body, 'whsec_s', t) },
      });
    const first = await send(now - 1);
    expect(await first.json()).toMatchObject({ stored: 2 });
    const replay = await send(now - 1);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ details: { reason: 'replay' } });
    const retry = await send(now);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ stored: 0 });
    await listener.close();
    expect((await store.deliveries.counts('t')).queued).toBe(1);
    expect((await store.deliveries.counts('u')).queued).toBe(1);
  });
});
