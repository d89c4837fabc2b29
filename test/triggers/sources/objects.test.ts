import { describe, expect, it } from 'vitest';
import { pollObjects } from '../../../src/triggers/sources/objects.ts';
import { rejection, useEmulator } from '../../entities/support/env.ts';
import { MemoryCheckpoints, MemoryInbox } from '../support/memory.ts';

const env = useEmulator();
const t0 = Math.floor(Date.now() / 1000) - 5000;

function poller(trigger: string, entity: string, at: number, addedAt?: number) {
  const inbox = new MemoryInbox();
  const checkpoints = new MemoryCheckpoints();
  const clock = { now: at };
  const startAt = addedAt === undefined ? undefined : async () => addedAt;
  const poll = () =>
    pollObjects({ ctx: env.ctx, inbox, checkpoints, trigger, entity, now: () => clock.now, startAt });
  return { inbox, checkpoints, clock, poll };
}

const load = (resource: string, created: number[]) => {
  const objects = created.map((c) => ({ created: c, amount: 100, currency: 'usd' }));
  env.emulator.load(resource, objects);
  return objects.map((o) => (o as unknown as { id: string }).id);
};

describe('object poller', () => {
  it('lists new charges oldest first from its checkpoint, more than a page, each once', async () => {
    load('charge', [t0 - 10, t0]); // before the trigger started, and in its first second
    const p = poller('charges', 'Charge', t0);
    await p.poll();
    const ids = load(
      'charge',
      Array.from({ length: 230 }, (_, i) => t0 + Math.floor(i / 3)),
    );
    p.clock.now = t0 + 77;
    const first = await p.poll();
    expect(first.inserted).toBe(230);
    expect(p.inbox.ids('charges')).toEqual(ids);
    expect(p.inbox.events.get('charges')?.[0]).toMatchObject({
      type: 'charge.added',
      source: 'objects',
      data: { object: { id: ids[0] } },
    });
    expect((await p.poll()).inserted).toBe(0);
    const more = load('charge', [t0 + 80, t0 + 80, t0 + 81]);
    p.clock.now = t0 + 82;
    expect((await p.poll()).inserted).toBe(3);
    expect(p.inbox.ids('charges')).toEqual([...ids, ...more]);
  });

  it('begins when the trigger was added: objects made before its first poll are new, older ones not', async () => {
    const added = t0 + 5000;
    const ids = load('charge', [added - 1, added, added + 30]);
    const p = poller('late-start', 'Charge', added + 60, added);
    await p.poll();
    expect(p.inbox.ids('late-start')).toEqual(ids.slice(1));
  });

  it('when the last object seen is deleted, walks from its second and drops the ids already seen there', async () => {
    const p = poller('customers', 'customer', t0 + 1000);
    await p.poll();
    const ids = load('customer', [t0 + 1001, t0 + 1001, t0 + 1001]);
    p.clock.now = t0 + 1002;
    await p.poll();
    await env.ctx.gateway.request({ method: 'DELETE', path: `/v1/customers/${ids[2]}` });
    const later = load('customer', [t0 + 1001, t0 + 1002]);
    const offeredBefore = p.inbox.offered.length;
    const result = await p.poll();
    expect(result.inserted).toBe(2);
    // Its own boundary dedup, not the inbox's, dropped the two seen at t0 + 1001.
    expect(p.inbox.offered.slice(offeredBefore)).toEqual(later);
    expect(p.inbox.ids('customers')).toEqual([...ids, ...later]);
  });

  it("an object dated after our clock (a test clock's invoice) is delivered but does not hide later ones", async () => {
    const p = poller('invoices', 'Invoice', t0 + 2000);
    await p.poll();
    const [ahead] = load('invoice', [t0 + 2000 + 30 * 86400]);
    p.clock.now = t0 + 2001;
    expect((await p.poll()).inserted).toBe(1);
    expect((await p.checkpoints.get<{ created: number }>('invoices'))!.created).toBeLessThanOrEqual(
      t0 + 2001,
    );
    const later = load('invoice', [t0 + 2002, t0 + 2003]);
    p.clock.now = t0 + 2004;
    expect((await p.poll()).inserted).toBe(2);
    expect(p.inbox.ids('invoices')).toEqual([ahead, ...later]);
  });

  it('refuses an entity that Stripe cannot list by created, and names unknown ones', async () => {
    const p = poller('x', 'TaxId', t0);
    expect(await rejection(p.poll())).toMatchObject({
      code: 'OPERATION_NOT_SUPPORTED',
      details: { keys: ['entity'] },
    });
    expect((await rejection(poller('y', 'Chrage', t0).poll())).code).toBe('UNKNOWN_ENTITY');
  });
});
