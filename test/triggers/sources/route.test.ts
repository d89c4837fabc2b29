import { describe, expect, it } from 'vitest';
import { eventFilters, matchesType } from '../../../src/triggers/sources/event-filter.ts';
import { routeEvent } from '../../../src/triggers/sources/route.ts';

describe('routeEvent', () => {
  const triggers = [
    { name: 'platform', events: ['customer.created'] },
    { name: 'connected', events: ['customer.*'], connect: true },
    { name: 'all', events: ['*'] },
  ];
  it("sends a connected account's event only to Connect triggers, the platform's to the others", () => {
    expect(routeEvent({ type: 'customer.created', account: 'acct_1' }, triggers)).toEqual(['connected']);
    expect(routeEvent({ type: 'customer.created' }, triggers)).toEqual(['platform', 'all']);
    expect(routeEvent({ type: 'charge.failed' }, triggers)).toEqual(['all']);
  });
});

describe('eventFilters', () => {
  it('splits exact types into types[] of at most 20, wildcards into their own type=, * into no filter', () => {
    const exact = Array.from({ length: 41 }, (_, i) => `x.t${i}`);
    const filters = eventFilters([...exact, 'charge.*', 'x.t0']);
    expect(filters.map((f) => Object.keys(f.params))).toEqual([['type'], ['types'], ['types'], ['types']]);
    expect(filters.slice(1).map((f) => (f.params.types as string[]).length)).toEqual([20, 20, 1]);
    expect(eventFilters(['a.b', '*'])).toEqual([{ key: '*', params: {} }]);
  });
  it('matches wildcards the way Stripe does', () => {
    expect(matchesType('charge.dispute.created', ['charge.*'])).toBe(true);
    expect(matchesType('chargeback.x', ['charge.*'])).toBe(false);
  });
});
