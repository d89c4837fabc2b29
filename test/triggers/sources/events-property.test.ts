/**
 * The events poller never skips an event, whatever the events' timestamps: dated in the past
 * (arriving late, within the overlap window's guarantee), in the same second as others, ahead of
 * our clock by seconds or weeks, listed out of order; with Stripe's clock off ours, polls that
 * crash between a batch and its checkpoint, and restarts from the stored checkpoint. Events arrive
 * in the emulator over simulated polls while a controllable clock moves; at the end, after polls
 * that span the overlap window, every matching event was delivered exactly once (the inbox dedups
 * by id) and nothing else was. The mirror reads events through the same `pollEvents`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../../src/gateway/index.ts';
import type { Gateway } from '../../../src/gateway/types.ts';
import { pollEvents } from '../../../src/triggers/sources/events.ts';
import { useEmulator } from '../../entities/support/env.ts';
import { loadEvents } from '../support/events.ts';
import { MemoryCheckpoints, MemoryInbox } from '../support/memory.ts';

const env = useEmulator();
/** Without the connection's default rate budget: thousands of list calls, none of them Stripe's. */
let gateway: Gateway;
beforeAll(() => {
  gateway = createGateway({
    apiKey: 'sk_test_property',
    baseUrl: env.emulator.url,
    apiVersion: env.ctx.catalog.apiVersion,
    throttle: { tps: 10_000, burst: 1000 },
  });
});
afterAll(() => gateway.close());
const OVERLAP_S = 60;
/** How late an event may show up in the list after its `created`: what the overlap window covers. */
const MAX_LATE_S = 20;
const MAX_SKEW_S = 10;
const DAY = 86400;

/** When, relative to Stripe's clock at its arrival, an event is dated. */
const dating = fc.oneof(
  fc.integer({ min: -MAX_LATE_S, max: 0 }), // late or on time
  fc.constant(0),
  fc.integer({ min: 1, max: 5 }), // a little ahead
  fc.integer({ min: 60, max: 40 * DAY }), // far ahead (a test clock's renewal)
);

const arrival = fc.record({
  /** Seconds our clock moves before these events show up (and before the poll, if any). */
  wait: fc.integer({ min: 0, max: 8 }),
  events: fc.array(
    fc.record({
      offset: dating,
      kind: fc.constantFrom('a.one', 'a.two', 'b.created', 'b.updated', 'c.other'),
    }),
    { maxLength: 6 },
  ),
  /** Events of one second, beyond those above. */
  sameSecond: fc.integer({ min: 0, max: 3 }),
  poll: fc.boolean(),
  /** The poll fails at this checkpoint write (0: it does not fail). */
  crashAt: fc.integer({ min: 0, max: 3 }),
  restart: fc.boolean(),
});

const scenario = fc.record({
  /** Stripe's clock minus ours (seconds). */
  skew: fc.integer({ min: -MAX_SKEW_S, max: MAX_SKEW_S }),
  steps: fc.array(arrival, { minLength: 1, maxLength: 10 }),
});

let run = 0;

describe('events poller, property', () => {
  it('delivers every event exactly once, whatever its timestamp', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ skew, steps }) => {
        const tag = `p${++run}x${Math.random().toString(36).slice(2, 6)}`;
        // `a.*` is one walk, the two `b` types another: the merge of walks is under test too.
        const types = [`${tag}a.*`, `${tag}b.created`, `${tag}b.updated`];
        const wanted = (type: string) => !type.endsWith('c.other');
        const inbox = new MemoryInbox();
        let checkpoints = new MemoryCheckpoints();
        const clock = { now: Math.floor(Date.now() / 1000) - 10 * DAY };
        const poll = async (crashAt = 0) => {
          const store = checkpoints;
          let writes = 0;
          const failing = {
            get: store.get.bind(store),
            set: async <T>(trigger: string, value: T) => {
              if (++writes === crashAt) throw new Error('crashed');
              return store.set(trigger, value);
            },
          };
          await pollEvents({
            gateway,
            inbox,
            checkpoints: failing,
            trigger: tag,
            types,
            overlapSeconds: OVERLAP_S,
            now: () => clock.now,
          }).catch((error: Error) => {
            if (error.message !== 'crashed') throw error;
          });
        };
        await poll();
        // The first events come after the start by more than any lateness, so none predates it.
        clock.now += MAX_LATE_S + MAX_SKEW_S + 1;
        const loaded: Array<{ id: string; type: string }> = [];
        for (const step of steps) {
          clock.now += step.wait;
          const stripeNow = clock.now + skew;
          const specs = step.events.map((e) => ({ type: `${tag}${e.kind}`, created: stripeNow + e.offset }));
          const second = stripeNow + (step.events[0]?.offset ?? 0);
          for (let i = 0; i < step.sameSecond; i++) specs.push({ type: `${tag}b.updated`, created: second });
          loaded.push(...loadEvents(env.emulator, specs));
          if (step.restart) {
            const restarted = new MemoryCheckpoints();
            for (const [k, v] of checkpoints.values) await restarted.set(k, v);
            checkpoints = restarted;
          }
          if (step.poll) await poll(step.crashAt);
        }
        // Polls across a whole overlap window and its re-reads: what showed up late is found now.
        for (let s = 0; s <= OVERLAP_S + 10; s += 5) {
          clock.now += 5;
          await poll();
        }
        const expected = loaded.filter((e) => wanted(e.type)).map((e) => e.id);
        const delivered = inbox.ids(tag);
        expect(new Set(delivered).size).toBe(delivered.length);
        expect([...delivered].sort()).toEqual([...expected].sort());
      }),
      // PROPERTY_RUNS=500 for a longer search (about 70 s).
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) },
    );
  }, 180_000);
});
