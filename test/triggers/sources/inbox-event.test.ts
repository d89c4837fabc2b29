import { describe, expect, it } from 'vitest';
import { eventFault } from '../../../src/triggers/sources/inbox-event.ts';

const good = {
  id: 'evt_1',
  object: 'event',
  type: 'customer.created',
  created: 1_700_000_000,
  data: { object: { id: 'cus_1', object: 'customer' } },
};

describe('eventFault: what delivery needs of an event, checked at the door by every source', () => {
  it('accepts an event with an id, a type, created as epoch seconds and its object', () => {
    expect(eventFault(good)).toBeUndefined();
    expect(eventFault({ ...good, account: 'acct_1' })).toBeUndefined();
  });

  it.each([
    [{ ...good, created: undefined }, 'created: missing (an integer, epoch seconds)'],
    [{ ...good, created: '1700000000' }, 'created: "1700000000" is not an integer of epoch seconds'],
    [{ ...good, created: 1.5 }, 'created: 1.5 is not an integer of epoch seconds'],
    [{ ...good, id: '' }, 'id: missing (a non-empty string)'],
    [{ ...good, type: 7 }, 'type: missing (a non-empty string)'],
    [{ ...good, data: {} }, 'data.object: missing (the object the event is about)'],
    [{ ...good, data: { object: [] } }, 'data.object: missing (the object the event is about)'],
    [{ ...good, account: 5 }, 'account: not a connected account id'],
    [null, 'the event is not a JSON object'],
  ])('names what is wrong: %j', (event, reason) => {
    expect(eventFault(event)).toBe(reason);
  });

  it('names every fault at once', () => {
    expect(eventFault({ id: 'evt_1' })).toBe(
      'type: missing (a non-empty string); created: missing (an integer, epoch seconds); data.object: missing (the object the event is about)',
    );
  });
});
