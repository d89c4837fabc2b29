/**
 * The Store contract: every backend runs these tests unchanged (sqlite.test.ts, postgres.test.ts).
 * Concurrency is tested with separate processes (child.ts), each with its own connection.
 */
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LAST_USED_GRANULARITY_MS,
  hashToken,
  openStore,
  type Job,
  type Store,
} from '../../src/store/index.ts';
import { runTogether, startChild } from './spawn.ts';

export interface Backend {
  /** A URL of a fresh, empty store (its own file or schema). */
  freshUrl(): Promise<string>;
  /** Direct SQL access to a store, to look at what is really stored. */
  raw(url: string): Promise<{ db: Kysely<any>; close(): Promise<void> }>;
}

export function storeContract(backend: Backend): void {
  const opened: Store[] = [];
  const clock = { t: 1_800_000_000_000 };
  // Tests that share a store with child processes use the real clock, as the children do.
  const open = async (url?: string, realClock = false) => {
    const store = await openStore({
      url: url ?? (await backend.freshUrl()),
      now: realClock ? undefined : () => clock.t,
    });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  const ids = (jobs: Job[]) => jobs.map((j) => j.id);

  describe('migrations', () => {
    it('apply once however many processes open a fresh store at once, and are idempotent on reopen', async () => {
      const url = await backend.freshUrl();
      await runTogether(4, 'open', url);
      const store = await open(url);
      expect(await store.health()).toEqual({
        applied: ['0001_initial', '0002_unfinished_job_indexes', '0003_due_job_indexes'],
        pending: [],
      });
      await store.kv.set('survives', { reopen: true });
      await store.close();
      opened.pop();
      const again = await open(url);
      expect(await again.kv.get('survives')).toEqual({ reopen: true });
      const raw = await backend.raw(url);
      const rows = await raw.db.selectFrom('kysely_migration').selectAll().execute();
      await raw.close();
      expect(rows).toHaveLength(3);
    });
  });

  describe('inbox', () => {
    it('keeps one row per (scope, event id) under concurrent inserts from several processes', async () => {
      const url = await backend.freshUrl();
      const results = await runTogether(3, 'inbox', url);
      const inserted = results.flat().reduce((n, l) => n + (l.inserted as number), 0);
      expect(inserted).toBe(50);
      const store = await open(url);
      expect(await store.inbox.list({ scope: 'conn:shared' })).toHaveLength(50);
      const again = await store.inbox.add({ scope: 'conn:shared', eventId: 'evt_1', type: 't', payload: {} });
      expect(again.inserted).toBe(false);
      expect(again.event.eventId).toBe('evt_1');
      const other = await store.inbox.add({ scope: 'conn:other', eventId: 'evt_1', type: 't', payload: {} });
      expect(other.inserted).toBe(true);
    });
  });

  describe('deliveries', () => {
    it('each delivery is claimed by exactly one of several concurrent claimers', async () => {
      const url = await backend.freshUrl();
      const store = await open(url, true);
      const made: number[] = [];
      for (let i = 0; i < 60; i++) {
        const { delivery } = await store.deliveries.enqueue({
          trigger: `t${i % 3}`,
          eventId: `evt_${i}`,
          payload: { i },
          ordered: false,
        });
        made.push(delivery.id);
      }
      const lines = (await runTogether(3, 'deliveries', url)).flat();
      const claimed = lines.map((l) => l.id as number);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect([...claimed].sort((a, b) => a - b)).toEqual(made);
      expect(lines.every((l) => l.acked === true)).toBe(true);
      expect((await store.deliveries.counts('t0')).succeeded).toBe(20);
    });

    it('keeps a stable id per (trigger, event) and makes a separate delivery per trigger', async () => {
      const store = await open();
      const a = await store.deliveries.enqueue({ trigger: 'a', eventId: 'evt_1', payload: { v: 1 } });
      const again = await store.deliveries.enqueue({ trigger: 'a', eventId: 'evt_1', payload: { v: 2 } });
      const b = await store.deliveries.enqueue({ trigger: 'b', eventId: 'evt_1', payload: { v: 1 } });
      expect(a.inserted).toBe(true);
      expect(again).toMatchObject({ inserted: false, delivery: { id: a.delivery.id, payload: { v: 1 } } });
      expect(b.inserted).toBe(true);
      expect(b.delivery.id).not.toBe(a.delivery.id);
    });

    it('delivers an ordered trigger one at a time: the next waits for the previous ack, even through a retry', async () => {
      const store = await open();
      const e1 = (await store.deliveries.enqueue({ trigger: 'A', eventId: 'e1', payload: 1 })).delivery;
      const e2 = (await store.deliveries.enqueue({ trigger: 'A', eventId: 'e2', payload: 2 })).delivery;
      const e3 = (await store.deliveries.enqueue({ trigger: 'B', eventId: 'e3', payload: 3 })).delivery;
      expect(ids(await store.deliveries.claim({ worker: 'w1', leaseMs: 1000, limit: 10 }))).toEqual([
        e1.id,
        e3.id,
      ]);
      expect(await store.deliveries.claim({ worker: 'w2', leaseMs: 1000, limit: 10 })).toEqual([]);
      expect(await store.deliveries.ack(e3.id, 'w1')).toBe(true);
      await store.deliveries.fail(e1.id, 'w1', { error: 'sink 503' });
      clock.t += 3_600_000;
      // e1 is due again before e2: order holds through retries.
      expect(ids(await store.deliveries.claim({ worker: 'w2', leaseMs: 1000, limit: 10 }))).toEqual([e1.id]);
      expect(await store.deliveries.ack(e1.id, 'w2')).toBe(true);
      expect(
        ids(await store.deliveries.claim({ worker: 'w2', leaseMs: 1000, limit: 10, triggers: ['A'] })),
      ).toEqual([e2.id]);
    });

    it('claims the run at the head of an ordered trigger: consecutive due ones, in order, up to the limit', async () => {
      const store = await open();
      const put = async (trigger: string, n: number) =>
        (await store.deliveries.enqueue({ trigger, eventId: `e${n}`, payload: n })).delivery.id;
      const a = [];
      for (let n = 0; n < 6; n++) a.push(await put('A', n));
      const other = await put('B', 0);
      const run = (worker: string, limit: number, trigger = 'A') =>
        store.deliveries.claimRun({ trigger, worker, leaseMs: 1000, limit });
      // The head and the ones right behind it, oldest first; only trigger A's.
      expect(await run('w1', 4)).toMatchObject(
        a.slice(0, 4).map((id) => ({ id, attempts: 1, lockedBy: 'w1' })),
      );
      // Nothing for anyone while the head is claimed, though a[4] and a[5] are due.
      expect(await run('w2', 10)).toEqual([]);
      expect(ids(await run('w2', 10, 'B'))).toEqual([other]);
      // Acked in order; the rest given back unsent, their attempt not counted.
      expect(await store.deliveries.ack(a[0], 'w1')).toBe(true);
      expect(await store.deliveries.release([a[1], a[2], a[3], a[4]], 'w2')).toBe(0); // not w2's
      expect(await store.deliveries.release([a[1], a[2], a[3]], 'w1')).toBe(3);
      expect(await store.deliveries.get(a[1])).toMatchObject({
        status: 'queued',
        attempts: 0,
        lockedBy: null,
      });
      expect(await store.deliveries.attempts(a[1])).toEqual([]);
      expect(await store.deliveries.ack(a[1], 'w1')).toBe(false);
      // A head that waits for its retry time holds the rest; a due head's run ends at one that waits.
      expect(ids(await run('w2', 1))).toEqual([a[1]]);
      await store.deliveries.fail(a[1], 'w2', { error: '503', retryAt: clock.t + 60_000 });
      expect(await run('w2', 10)).toEqual([]);
      clock.t += 60_000;
      expect(ids(await run('w2', 2))).toEqual([a[1], a[2]]);
      expect(await store.deliveries.ack(a[1], 'w2')).toBe(true);
      await store.deliveries.fail(a[2], 'w2', { error: 'gone', dead: true });
      // A dead delivery does not hold its trigger; the run goes to the end of the queue.
      expect(ids(await run('w3', 10))).toEqual([a[3], a[4], a[5]]);
      expect((await store.deliveries.attempts(a[3])).map((t) => [t.attempt, t.worker])).toEqual([[1, 'w3']]);
    });

    it('a run whose worker died is taken over whole, from its head; the old worker can no longer ack it', async () => {
      const store = await open();
      const a = [];
      for (let n = 0; n < 3; n++)
        a.push((await store.deliveries.enqueue({ trigger: 'A', eventId: `e${n}`, payload: n })).delivery.id);
      await store.deliveries.claimRun({ trigger: 'A', worker: 'old', leaseMs: 1000, limit: 10 });
      expect(await store.deliveries.ack(a[0], 'old')).toBe(true);
      clock.t += 1001;
      expect(
        await store.deliveries.claimRun({ trigger: 'A', worker: 'new', leaseMs: 1000, limit: 10 }),
      ).toMatchObject([
        { id: a[1], attempts: 2, lockedBy: 'new' },
        { id: a[2], attempts: 2, lockedBy: 'new' },
      ]);
      expect(await store.deliveries.ack(a[1], 'old')).toBe(false);
      expect((await store.deliveries.attempts(a[1])).map((t) => t.outcome)).toEqual(['lost', null]);
    });

    it('a held dead job before the head means no run at all', async () => {
      const store = await open();
      const job = (n: number) =>
        store.jobs.enqueue({
          queue: 'q',
          group: 'g',
          key: `k${n}`,
          payload: n,
          ordered: true,
          holdOnDead: true,
        });
      const first = (await job(1)).job;
      await job(2);
      await store.jobs.claimRun({ queue: 'q', group: 'g', worker: 'w', leaseMs: 1000, limit: 1 });
      await store.jobs.fail(first.id, 'w', { error: 'blocked', dead: true });
      expect(
        await store.jobs.claimRun({ queue: 'q', group: 'g', worker: 'w', leaseMs: 1000, limit: 5 }),
      ).toEqual([]);
      expect(await store.jobs.retry(first.id)).toBe(true);
      expect(
        ids(await store.jobs.claimRun({ queue: 'q', group: 'g', worker: 'w', leaseMs: 1000, limit: 5 })),
      ).toEqual([first.id, first.id + 1]);
    });

    it('a run claimed in an open transaction is not claimed again by another process meanwhile', async () => {
      const url = await backend.freshUrl();
      const store = await open(url, true);
      for (let i = 0; i < 4; i++)
        await store.deliveries.enqueue({ trigger: 'T', eventId: `e${i}`, payload: i });
      const other = startChild('claim-run-once', url, 'other');
      await other.waitFor((l) => l.ready === true);
      const mine = await store.transaction(async (tx) => {
        // The first two: the other claimer (limit 10) sees all four queued, but may take none.
        const run = await tx.deliveries.claimRun({ trigger: 'T', worker: 'me', leaseMs: 30_000, limit: 2 });
        // The other claimer starts while this claim is not yet committed (PostgreSQL: rows locked).
        other.proc.stdin!.write('go\n');
        await other.waitFor((l) => l.claiming === true);
        await new Promise((r) => setTimeout(r, 300));
        return run;
      });
      expect(await other.exited).toBe(0);
      expect(mine).toHaveLength(2);
      expect(other.lines.find((l) => 'run' in l)).toEqual({ run: [] });
    });

    it('concurrent run claimers never split one trigger: each run is the next block, claimed after the last ack', async () => {
      const url = await backend.freshUrl();
      const store = await open(url, true);
      const made: number[] = [];
      for (let i = 0; i < 80; i++)
        made.push(
          (await store.deliveries.enqueue({ trigger: 'T', eventId: `e${i}`, payload: i })).delivery.id,
        );
      const runs = (await runTogether(3, 'runs', url))
        .flat()
        .map((l) => l as { run: number[]; claimedAt: number; lastAckFrom: number; acked: boolean[] })
        .sort((x, y) => x.run[0]! - y.run[0]!);
      expect(runs.flatMap((r) => r.run)).toEqual(made);
      expect(runs.every((r) => r.acked.every(Boolean))).toBe(true);
      for (let i = 1; i < runs.length; i++)
        expect(runs[i]!.claimedAt).toBeGreaterThanOrEqual(runs[i - 1]!.lastAckFrom);
    });

    it('retries with exponential backoff columns, honouring a later retryAt', async () => {
      const store = await open();
      const d = (
        await store.deliveries.enqueue({ trigger: 'r', eventId: 'e', payload: {}, backoffMs: 10_000 })
      ).delivery;
      await store.deliveries.claim({ worker: 'w', leaseMs: 60_000 });
      const failed = (await store.deliveries.fail(d.id, 'w', { error: 'HTTP 500' }))!;
      expect(failed).toMatchObject({ status: 'queued', attempts: 1, lastError: 'HTTP 500', lockedBy: null });
      expect(failed.runAt - clock.t).toBeGreaterThanOrEqual(8_000);
      expect(failed.runAt - clock.t).toBeLessThanOrEqual(12_000);
      expect(await store.deliveries.claim({ worker: 'w', leaseMs: 60_000 })).toEqual([]);
      clock.t = failed.runAt;
      await store.deliveries.claim({ worker: 'w', leaseMs: 60_000 });
      const second = (await store.deliveries.fail(d.id, 'w', { error: 'HTTP 500' }))!;
      expect(second.runAt - clock.t).toBeGreaterThanOrEqual(16_000); // doubled
      clock.t = second.runAt;
      await store.deliveries.claim({ worker: 'w', leaseMs: 60_000 });
      const later = clock.t + 120_000;
      expect((await store.deliveries.fail(d.id, 'w', { error: '429', retryAt: later }))!.runAt).toBe(later);
      const attempts = await store.deliveries.attempts(d.id);
      expect(attempts.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
        [1, 'failed', 'HTTP 500'],
        [2, 'failed', 'HTTP 500'],
        [3, 'failed', '429'],
      ]);
    });

    it('dead-letters after maxAttempts or past expiresAt; a dead letter does not hold its trigger; redeliver keeps the id', async () => {
      const store = await open();
      const d = (
        await store.deliveries.enqueue({
          trigger: 'd',
          eventId: 'e1',
          payload: {},
          maxAttempts: 2,
          backoffMs: 1,
        })
      ).delivery;
      const next = (await store.deliveries.enqueue({ trigger: 'd', eventId: 'e2', payload: {} })).delivery;
      for (let i = 0; i < 2; i++) {
        clock.t += 1000;
        expect(ids(await store.deliveries.claim({ worker: 'w', leaseMs: 500 }))).toEqual([d.id]);
        await store.deliveries.fail(d.id, 'w', { error: `boom ${i}` });
      }
      expect(await store.deliveries.get(d.id)).toMatchObject({
        status: 'dead',
        attempts: 2,
        lastError: 'boom 1',
      });
      expect(ids(await store.deliveries.deadLetters('d'))).toEqual([d.id]);
      expect(ids(await store.deliveries.claim({ worker: 'w', leaseMs: 500 }))).toEqual([next.id]);
      await store.deliveries.ack(next.id, 'w');
      expect(await store.deliveries.redeliver(d.id)).toBe(true);
      const again = await store.deliveries.claim({ worker: 'w', leaseMs: 500 });
      expect(again).toMatchObject([{ id: d.id, attempts: 1, status: 'running' }]);
      expect(await store.deliveries.ack(d.id, 'w')).toBe(true);
      expect((await store.deliveries.counts('d')).succeeded).toBe(2);
      expect(await store.deliveries.redeliver(next.id)).toBe(true); // a replay of an acked one
      expect(ids(await store.deliveries.claim({ worker: 'w', leaseMs: 500 }))).toEqual([next.id]);

      const timed = (
        await store.deliveries.enqueue({ trigger: 'x', eventId: 'e', payload: {}, expiresAt: clock.t + 10 })
      ).delivery;
      await store.deliveries.claim({ worker: 'w', leaseMs: 500 });
      clock.t += 11;
      expect((await store.deliveries.fail(timed.id, 'w', { error: 'late' }))!.status).toBe('dead');
    });

    it("lists a trigger's deliveries in pages, newest first or oldest first, before or after an id", async () => {
      const store = await open();
      const made: number[] = [];
      for (let i = 0; i < 7; i++)
        made.push(
          (await store.deliveries.enqueue({ trigger: 'p', eventId: `e${i}`, payload: {} })).delivery.id,
        );
      await store.deliveries.enqueue({ trigger: 'other', eventId: 'e0', payload: {} });
      expect(ids(await store.deliveries.list('p'))).toEqual(made);
      const newest = await store.deliveries.list('p', { order: 'desc', limit: 3 });
      expect(ids(newest)).toEqual(made.slice(4).reverse());
      const older = await store.deliveries.list('p', { order: 'desc', limit: 3, beforeId: made[4] });
      expect(ids(older)).toEqual(made.slice(1, 4).reverse());
      expect(ids(await store.deliveries.list('p', { afterId: made[1], beforeId: made[5] }))).toEqual(
        made.slice(2, 5),
      );
      expect(ids(await store.deliveries.list('p', { order: 'desc', afterId: made[4] }))).toEqual(
        made.slice(5).reverse(),
      );
    });
  });

  describe('job leases', () => {
    it('a job whose worker died (lease expired) is reclaimed; the old worker can no longer ack it', async () => {
      const store = await open();
      const { job } = await store.jobs.enqueue({ queue: 'q', payload: {} });
      await store.jobs.claim({ queue: 'q', worker: 'old', leaseMs: 1000 });
      expect(await store.jobs.claim({ queue: 'q', worker: 'new', leaseMs: 1000 })).toEqual([]);
      expect(await store.jobs.extend(job.id, 'old', 2000)).toBe(true);
      clock.t += 1500;
      expect(await store.jobs.claim({ queue: 'q', worker: 'new', leaseMs: 1000 })).toEqual([]);
      clock.t += 600;
      expect(await store.jobs.claim({ queue: 'q', worker: 'new', leaseMs: 1000 })).toMatchObject([
        { id: job.id, attempts: 2, lockedBy: 'new' },
      ]);
      expect(await store.jobs.complete(job.id, 'old')).toBe(false);
      expect(await store.jobs.complete(job.id, 'new')).toBe(true);
      expect((await store.jobs.attempts(job.id)).map((a) => a.outcome)).toEqual(['lost', 'succeeded']);
    });

    it('a job claimed by a process killed with SIGKILL is reclaimable after its lease', async () => {
      const url = await backend.freshUrl();
      const store = await open(url, true);
      const { job } = await store.jobs.enqueue({ queue: 'q', payload: {} });
      const child = startChild('claim-and-die', url, 'doomed');
      await child.waitFor((l) => l.ready === true);
      child.proc.stdin!.write('go\n');
      await child.exited;
      expect(child.lines.find((l) => 'claimed' in l)).toEqual({ claimed: job.id });
      const deadline = Date.now() + 5000;
      let reclaimed: Job[] = [];
      while (!reclaimed.length && Date.now() < deadline) {
        reclaimed = await store.jobs.claim({ queue: 'q', worker: 'survivor', leaseMs: 1000 });
        if (!reclaimed.length) await new Promise((r) => setTimeout(r, 50));
      }
      expect(reclaimed).toMatchObject([{ id: job.id, attempts: 2, lockedBy: 'survivor' }]);
    });
  });

  describe('billing jobs', () => {
    it('run one at a time per integration, in creation order, across concurrent claimers', async () => {
      const url = await backend.freshUrl();
      const store = await open(url, true);
      for (let i = 0; i < 12; i++) {
        await store.billing.enqueue({
          integration: i % 2 ? 'acme' : 'globex',
          kind: 'price.create',
          key: `k${i}`,
          payload: { i },
        });
      }
      const lines = (await runTogether(3, 'billing', url)).flat();
      expect(lines).toHaveLength(12);
      for (const group of ['acme', 'globex']) {
        const runs = lines
          .filter((l) => l.group === group)
          .sort((a, b) => (a.start as number) - (b.start as number));
        expect(runs.map((r) => r.id)).toEqual([...runs.map((r) => r.id as number)].sort((a, b) => a - b));
        for (let i = 1; i < runs.length; i++)
          expect(runs[i]!.start as number).toBeGreaterThanOrEqual(runs[i - 1]!.end as number);
      }
      expect((await store.billing.counts('acme')).succeeded).toBe(6);
    });

    it('dedups by idempotency key; a blocked job holds its integration until retried or discarded', async () => {
      const store = await open();
      const first = await store.billing.enqueue({
        integration: 'acme',
        kind: 'k',
        key: 'plan:pro:price',
        payload: 1,
        maxAttempts: 2,
        backoffMs: 1,
      });
      expect(
        (await store.billing.enqueue({ integration: 'acme', kind: 'k', key: 'plan:pro:price', payload: 9 }))
          .inserted,
      ).toBe(false);
      const second = (
        await store.billing.enqueue({ integration: 'acme', kind: 'k', key: 'plan:pro:sub', payload: 2 })
      ).job;
      const other = (await store.billing.enqueue({ integration: 'other', kind: 'k', key: 'x', payload: 3 }))
        .job;
      for (let i = 0; i < 2; i++) {
        clock.t += 1000;
        const [job] = await store.billing.claim({ worker: 'w', leaseMs: 500, integrations: ['acme'] });
        expect(job!.id).toBe(first.job.id);
        await store.billing.fail(job!.id, 'w', { error: 'card_declined' });
      }
      expect(await store.billing.jobs({ integration: 'acme', status: 'dead' })).toMatchObject([
        { id: first.job.id, lastError: 'card_declined' },
      ]);
      clock.t += 1000;
      expect(ids(await store.billing.claim({ worker: 'w', leaseMs: 500, limit: 5 }))).toEqual([other.id]);
      expect(await store.billing.retry(first.job.id)).toBe(true);
      expect(ids(await store.billing.claim({ worker: 'w', leaseMs: 500, limit: 5 }))).toEqual([first.job.id]);
      await store.billing.fail(first.job.id, 'w', { error: 'again', dead: true });
      expect(await store.billing.discard(first.job.id)).toBe(true);
      expect(ids(await store.billing.claim({ worker: 'w', leaseMs: 500, limit: 5 }))).toEqual([second.id]);
      expect(await store.billing.counts('acme')).toMatchObject({
        discarded: 1,
        running: 1,
        queued: 0,
        dead: 0,
      });
    });

    it('keeps integrations and catalogs, refusing a literal secret key', async () => {
      const store = await open();
      await store.billing.putIntegration('my-billing', 'My Billing', {
        publishableKey: 'env:PK',
        secretKey: 'env:SK',
        account: 'acct_1',
      });
      await store.billing.putCatalog('sandbox', 'sandbox');
      await store.billing.attach('sandbox', 'my-billing');
      expect(await store.billing.getCatalog('sandbox')).toMatchObject({
        kind: 'sandbox',
        integrations: ['my-billing'],
      });
      expect(await store.billing.getIntegration('my-billing')).toMatchObject({
        title: 'My Billing',
        definition: { secretKey: 'env:SK' },
      });
      await expect(
        store.billing.putIntegration('x', 'X', { secretKey: 'sk_test_123' }),
      ).rejects.toMatchObject({ code: 'INVALID_VALUE' });
      expect(await store.billing.removeIntegration('my-billing')).toBe(true);
      expect((await store.billing.getCatalog('sandbox'))!.integrations).toEqual([]);
    });
  });

  describe('leases', () => {
    it('acquire, refuse another holder, renew, expire, steal with a new epoch', async () => {
      const store = await open();
      const a = await store.leases.acquire('poller:t1', 'node-a', 1000);
      expect(a).toMatchObject({ holder: 'node-a', epoch: 1 });
      expect(await store.leases.acquire('poller:t1', 'node-b', 1000)).toBeUndefined();
      clock.t += 800;
      expect(await store.leases.renew('poller:t1', 'node-a', 1000)).toMatchObject({
        expiresAt: clock.t + 1000,
        epoch: 1,
      });
      clock.t += 900;
      expect(await store.leases.acquire('poller:t1', 'node-b', 1000)).toBeUndefined();
      clock.t += 200;
      expect(await store.leases.acquire('poller:t1', 'node-b', 1000)).toMatchObject({
        holder: 'node-b',
        epoch: 2,
      });
      expect(await store.leases.renew('poller:t1', 'node-a', 1000)).toBeUndefined();
      expect(await store.leases.release('poller:t1', 'node-a')).toBe(false);
      expect(await store.leases.list('node-b')).toHaveLength(1);
      expect(await store.leases.release('poller:t1', 'node-b')).toBe(true);
      expect(await store.leases.get('poller:t1')).toMatchObject({ epoch: 2, expiresAt: clock.t });
    });

    it('release keeps the row: the epoch (fencing token) keeps growing, never starts again', async () => {
      const store = await open();
      expect(await store.leases.acquire('src:t', 'node-a', 1000)).toMatchObject({ epoch: 1 });
      expect(await store.leases.release('src:t', 'node-a')).toBe(true);
      // Released: free at once for another holder, at the next epoch.
      expect(await store.leases.acquire('src:t', 'node-b', 1000)).toMatchObject({
        holder: 'node-b',
        epoch: 2,
      });
      expect(await store.leases.release('src:t', 'node-b')).toBe(true);
      expect(await store.leases.release('src:t', 'node-b')).toBe(false);
      // The same holder again after its release or expiry is a new tenure too.
      expect(await store.leases.acquire('src:t', 'node-b', 1000)).toMatchObject({ epoch: 3 });
      clock.t += 1000;
      expect(await store.leases.acquire('src:t', 'node-b', 1000)).toMatchObject({ epoch: 4 });
      // While live, taking it again is a renewal: same epoch, same start.
      clock.t += 10;
      expect(await store.leases.acquire('src:t', 'node-b', 1000)).toMatchObject({
        epoch: 4,
        acquiredAt: clock.t - 10,
      });
    });

    it('has exactly one holder when several processes race for it', async () => {
      const lines = (await runTogether(4, 'lease', await backend.freshUrl())).flat();
      expect(lines.filter((l) => l.won === true)).toHaveLength(1);
    });
  });

  describe('tokens', () => {
    it('stores only the hash: verify by hash, never the plain token; revoked tokens fail', async () => {
      const url = await backend.freshUrl();
      const store = await open(url);
      const { token, record } = await store.tokens.create({
        name: 'ci',
        scopes: ['read'],
        connections: ['demo'],
      });
      expect(token).toMatch(/^sct_[A-Za-z0-9_-]{43}$/);
      expect(record).toMatchObject({ scopes: ['read'], connections: ['demo'], lastUsedAt: null });
      clock.t += 5;
      expect(await store.tokens.verify(token)).toMatchObject({ id: record.id, lastUsedAt: clock.t });
      expect(await store.tokens.verify(token + 'x')).toBeUndefined();
      // Within the granularity a use is not written again (verify stays a read); after it, it is.
      const firstUse = clock.t;
      clock.t += LAST_USED_GRANULARITY_MS - 1;
      expect(await store.tokens.verify(token)).toMatchObject({ lastUsedAt: firstUse });
      clock.t += 1;
      expect(await store.tokens.verify(token)).toMatchObject({ lastUsedAt: clock.t });
      const raw = await backend.raw(url);
      const rows = await raw.db.selectFrom('tokens').selectAll().execute();
      await raw.close();
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows[0].hash).toBe(hashToken(token));
      expect(await store.tokens.revoke(record.id)).toBe(true);
      expect(await store.tokens.verify(token)).toBeUndefined();
      expect((await store.tokens.list())[0]!.revokedAt).toBe(clock.t);
    });
  });

  describe('transactions', () => {
    it('roll back everything on an error, and commit everything otherwise', async () => {
      const store = await open();
      await expect(
        store.transaction(async (tx) => {
          await tx.inbox.add({ scope: 's', eventId: 'e1', type: 't', payload: {} });
          await tx.checkpoints.set('t', 'events', 'cursor-1');
          await tx.deliveries.enqueue({ trigger: 't', eventId: 'e1', payload: {} });
          throw new Error('sink lookup failed');
        }),
      ).rejects.toThrow('sink lookup failed');
      expect(await store.inbox.get('s', 'e1')).toBeUndefined();
      expect(await store.checkpoints.get('t', 'events')).toBeUndefined();
      expect(await store.deliveries.list('t')).toEqual([]);
      const claimed = await store.transaction(async (tx) => {
        await tx.inbox.add({ scope: 's', eventId: 'e1', type: 't', payload: {} });
        await tx.deliveries.enqueue({ trigger: 't', eventId: 'e1', payload: {} });
        await tx.checkpoints.set('t', 'events', 'cursor-1', { overlap: 60 });
        return tx.deliveries.claim({ worker: 'w', leaseMs: 1000 });
      });
      expect(claimed).toHaveLength(1);
      expect(await store.checkpoints.get('t', 'events')).toMatchObject({
        cursor: 'cursor-1',
        state: { overlap: 60 },
      });
    });

    it('inside a transaction (where trigger events are written): duplicates skipped, a lost claim acks nothing, all of it rolled back together', async () => {
      const store = await open();
      const first = await store.transaction(async (tx) => {
        const put = await tx.inbox.add({ scope: 's', eventId: 'e1', type: 't', payload: { v: 1 } });
        const again = await tx.inbox.add({ scope: 's', eventId: 'e1', type: 't', payload: { v: 2 } });
        const d = await tx.deliveries.enqueue({ trigger: 't', eventId: 'e1', payload: { v: 1 } });
        const twice = await tx.deliveries.enqueue({ trigger: 't', eventId: 'e1', payload: { v: 2 } });
        return { put, again, d, twice };
      });
      expect(first.put).toMatchObject({ inserted: true, event: { eventId: 'e1', payload: { v: 1 } } });
      expect(first.again).toMatchObject({
        inserted: false,
        event: { id: first.put.event.id, payload: { v: 1 } },
      });
      expect(first.d.delivery).toMatchObject({ status: 'queued', attempts: 0, payload: { v: 1 } });
      expect(first.twice).toMatchObject({ inserted: false, delivery: { id: first.d.delivery.id } });
      const [job] = await store.deliveries.claim({ worker: 'w', leaseMs: 1000 });
      expect(await store.transaction((tx) => tx.deliveries.ack(job.id, 'another worker'))).toBe(false);
      await expect(
        store.transaction(async (tx) => {
          expect(await tx.deliveries.ack(job.id, 'w')).toBe(true);
          await tx.inbox.add({ scope: 's', eventId: 'e2', type: 't', payload: {} });
          throw new Error('the rest of the batch failed');
        }),
      ).rejects.toThrow('the rest of the batch failed');
      expect(await store.inbox.get('s', 'e2')).toBeUndefined();
      expect((await store.deliveries.get(job.id))?.status).toBe('running');
      expect(await store.transaction((tx) => tx.deliveries.ack(job.id, 'w'))).toBe(true);
      expect(await store.deliveries.get(job.id)).toMatchObject({ status: 'succeeded', lockedBy: null });
      expect((await store.deliveries.attempts(job.id)).map((a) => a.outcome)).toEqual(['succeeded']);
    });

    it('leave a consistent store when the process is killed with SIGKILL mid-transaction', async () => {
      const url = await backend.freshUrl();
      for (let round = 0; round < 3; round++) {
        const child = startChild('tx-loop', url, `crash${round}`);
        await child.waitFor((l) => l.ready === true);
        child.proc.stdin!.write('go\n');
        await child.waitFor((l) => l.first === true);
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
        child.proc.kill('SIGKILL');
        await child.exited;
        const store = await open(url);
        const cp = await store.checkpoints.get('crash', 'events');
        const rows = await store.inbox.list({ scope: 'crash', limit: 1_000_000 });
        expect(rows.length).toBe((Number(cp!.cursor) + 1) * 10);
        await store.inbox.prune('crash', Number.MAX_SAFE_INTEGER);
        await store.checkpoints.remove('crash');
      }
    });
  });

  describe('definitions and state', () => {
    it('keeps triggers, checkpoints, connections (secret references only), sync slices, nodes and kv', async () => {
      const store = await open();
      await store.triggers.put('new-customers', { preset: 'customer-added', sink: 'file:out.ndjson' });
      await store.triggers.put('new-customers', { preset: 'customer-added', sink: 'stdout' });
      expect(await store.triggers.list()).toMatchObject([
        { name: 'new-customers', definition: { sink: 'stdout' } },
      ]);
      await store.checkpoints.set('new-customers', 'events', 'evt_9');
      expect(await store.checkpoints.list('new-customers')).toMatchObject([
        { source: 'events', cursor: 'evt_9' },
      ]);
      expect(await store.triggers.remove('new-customers')).toBe(true);

      await store.connections.put('demo', {
        apiKey: 'env:STRIPE_API_KEY',
        proxy: { url: 'http://p:3128', password: 'file:/run/pw' },
      });
      expect((await store.connections.get('demo'))!.definition).toMatchObject({
        apiKey: 'env:STRIPE_API_KEY',
      });
      const refused = store.connections.put('bad', { proxy: { password: 'hunter2' } });
      await expect(refused).rejects.toMatchObject({
        code: 'INVALID_VALUE',
        details: { field: 'proxy.password' },
      });
      await expect(store.connections.put('bad', { apiKey: 'sk_live_abc' })).rejects.not.toThrow(
        /sk_live_abc/,
      );
      expect(await store.connections.list()).toHaveLength(1);

      await store.sync.set('main', 'Customer', '2024-01', { cursor: 'cus_1' });
      await store.sync.set('main', 'Customer', '2024-01', { done: true });
      expect(await store.sync.get('main', 'Customer', '2024-01')).toMatchObject({
        cursor: 'cus_1',
        done: true,
      });
      expect(await store.sync.clear('main')).toBe(1);

      await store.nodes.heartbeat('n1', { pid: 1 });
      clock.t += 10_000;
      await store.nodes.heartbeat('n2', { pid: 2 });
      expect((await store.nodes.list(5_000)).map((n) => n.id)).toEqual(['n2']);
      expect(await store.nodes.list()).toHaveLength(2);

      await store.kv.set('endpoint:demo', { id: 'we_1' });
      expect(await store.kv.get('endpoint:demo')).toEqual({ id: 'we_1' });
      expect(await store.kv.remove('endpoint:demo')).toBe(true);
      expect(await store.kv.get('endpoint:demo')).toBeUndefined();
    });
  });
}
