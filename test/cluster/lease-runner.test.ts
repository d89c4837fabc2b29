/** runWithLease in one process (the kill -9 takeover across processes is in scale-out.test.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWithLease, type LeaseContext } from '../../src/cluster/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const root = mkdtempSync(join(tmpdir(), 'cluster-lease-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => openStore({ url: `sqlite:${join(root, `l${n++}.db`)}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Work that runs until its signal aborts, recording when it held the lease. */
function recorder(spans: Array<{ who: string; from: number; to?: number; epoch: number }>, who: string) {
  return async (ctx: LeaseContext) => {
    const span = { who, from: Date.now(), epoch: ctx.epoch } as (typeof spans)[number];
    spans.push(span);
    await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
    span.to = Date.now();
  };
}

/** The store's leases with renewals passed through `hook` (to lose or break them). */
function withRenew(
  store: Store,
  hook: (renew: () => ReturnType<Store['leases']['renew']>) => ReturnType<Store['leases']['renew']>,
) {
  return {
    ...store.leases,
    renew: (name: string, holder: string, ttl: number) => hook(() => store.leases.renew(name, holder, ttl)),
  };
}

describe('runWithLease', () => {
  it('runs the work on one node at a time, renewing past the ttl; a stopped node hands over', async () => {
    const store = await fresh();
    const spans: Array<{ who: string; from: number; to?: number; epoch: number }> = [];
    const a = runWithLease(store, 'source:x', 'a', 300, recorder(spans, 'a'));
    await sleep(50);
    const b = runWithLease(store, 'source:x', 'b', 300, recorder(spans, 'b'));
    await sleep(1000); // over three ttls: only renewals keep a holding
    expect(spans.map((s) => s.who)).toEqual(['a']);
    expect(a.lease?.holder).toBe('a');
    const stoppedAt = Date.now();
    await a.stop();
    await sleep(400);
    expect(spans.map((s) => s.who)).toEqual(['a', 'b']);
    expect(spans[1]!.from - stoppedAt).toBeLessThanOrEqual(300);
    expect(spans[1]!.epoch).toBeGreaterThan(spans[0]!.epoch);
    expect(spans[1]!.from).toBeGreaterThanOrEqual(spans[0]!.to!);
    await b.stop();
    // Handed over by expiring in place: the next holder's epoch still grows.
    const left = (await store.leases.get('source:x'))!;
    expect(left.expiresAt).toBeLessThanOrEqual(store.now());
    expect((await store.leases.acquire('source:x', 'c', 1000))!.epoch).toBe(spans[1]!.epoch + 1);
    await store.close();
  });

  it('hands over as soon as the work ends by itself, not after the next renewal is due', async () => {
    const store = await fresh();
    let done = 0;
    const a = runWithLease(store, 'source:y', 'a', 3000, async () => void (done = Date.now()), {
      retryMs: 10_000,
    });
    await sleep(300); // the renewal period is 1 s: a hand-over that waited for it would not be here yet
    expect(done).toBeGreaterThan(0);
    expect(await store.leases.acquire('source:y', 'b', 3000)).toMatchObject({ holder: 'b' });
    await a.stop();
    await store.close();
  });

  it('aborts the work when a renewal says the lease is gone (fenced by epoch)', async () => {
    const store = await fresh();
    let stolen = false;
    const leases = withRenew(store, (renew) => (stolen ? Promise.resolve(undefined) : renew()));
    const spans: Array<{ who: string; from: number; to?: number; epoch: number }> = [];
    let checked: boolean | undefined;
    const runner = runWithLease({ ...store, leases } as Store, 'source:y', 'a', 300, async (ctx) => {
      await recorder(spans, 'a')(ctx);
      checked = await ctx.stillHeld();
    });
    await sleep(150);
    // Another node took it (its epoch moved on): the store no longer names us.
    await store.leases.release('source:y', 'a');
    await store.leases.acquire('source:y', 'other', 10_000);
    stolen = true;
    const at = Date.now();
    await sleep(250);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.to! - at).toBeLessThanOrEqual(150);
    expect(checked).toBe(false);
    await runner.stop();
    expect((await store.leases.get('source:y'))?.holder).toBe('other');
    await store.close();
  });

  it('stops the work before the lease can expire when renewals keep failing', async () => {
    const store = await fresh();
    let broken = false;
    const leases = withRenew(store, (renew) => (broken ? Promise.reject(new Error('store down')) : renew()));
    const spans: Array<{ who: string; from: number; to?: number; epoch: number }> = [];
    const runner = runWithLease({ ...store, leases } as Store, 'source:z', 'a', 600, recorder(spans, 'a'));
    await sleep(250);
    broken = true;
    const lease = (await store.leases.get('source:z'))!;
    await sleep(800);
    expect(spans[0]!.to).toBeDefined();
    expect(spans[0]!.to!).toBeLessThan(lease.expiresAt);
    await runner.stop();
    await store.close();
  });
});
