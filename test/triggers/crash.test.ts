/**
 * kill -9 the runner at random points 20 times during a 2,000-event run: every event delivered,
 * in order, duplicates only as a repeat of the same delivery (same delivery id).
 */
import { describe, expect, it } from 'vitest';
import { deliveryId } from '../../src/triggers/delivery-id.ts';
import { collapse, crashRun } from './support/crash.ts';

describe('trigger runner under kill -9', () => {
  it('20 kills over 2,000 events: every event once in order, duplicates only with the same delivery id', async () => {
    const r = await crashRun({ events: 2000, kills: 20 });
    expect(r.made).toHaveLength(2000);
    // The queue holds each event once, in the order Stripe (the emulator) made them.
    expect(r.queued).toEqual(r.made);
    // The sink saw them in that order; a repeat is only ever the delivery just before, same id.
    expect(collapse(r.received, (l) => l.event_id)).toEqual(r.made);
    for (const l of r.received) expect(l.id).toBe(deliveryId('crash', l.event_id));
  }, 180_000);
});
