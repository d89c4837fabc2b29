/** The console's browser modules that need no page: flattening, secret checks, the chart's buckets, the SSE reader. */
import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error plain browser JavaScript, no types
import { cellText, flatten } from '../../src/console/public/dom.js';
// @ts-expect-error plain browser JavaScript, no types
import { checkSecrets } from '../../src/console/public/pages/connections.js';
// @ts-expect-error plain browser JavaScript, no types
import { perMinute } from '../../src/console/public/pages/chart.js';
// @ts-expect-error plain browser JavaScript, no types
import { readEvents } from '../../src/console/public/api.js';
// @ts-expect-error plain browser JavaScript, no types
import { definitionOf } from '../../src/console/public/pages/triggers.js';
import { parseTrigger } from '../../src/triggers/definition.ts';
import { fromPreset } from '../../src/triggers/presets.ts';

afterEach(() => vi.unstubAllGlobals());

describe('console client modules', () => {
  it("turns the add-trigger form into a definition the server's trigger routes take", () => {
    const common = { name: 't', connection: 'demo', sink: 'stdout' };
    const events = definitionOf({ ...common, source: 'events', watch: 'customer.created, charge.failed' });
    expect(events).toEqual({ ...common, source: 'events', events: ['customer.created', 'charge.failed'] });
    expect(parseTrigger(events)).toMatchObject({ events: ['customer.created', 'charge.failed'] });
    const preset = definitionOf(
      { ...common, source: 'webhook', watch: 'customer-added' },
      { interval: '5s' },
    );
    expect(preset).toEqual({ ...common, source: 'webhook', preset: 'customer-added', interval: '5s' });
    expect(parseTrigger(fromPreset(preset.preset, preset))).toMatchObject({ source: 'webhook' });
    const objects = definitionOf({ ...common, source: 'objects', watch: 'Charge' });
    expect(parseTrigger(objects)).toMatchObject({ source: 'objects', entity: 'Charge' });
  });

  it('flattens nested objects into dotted columns, arrays stay values', () => {
    expect(
      flatten({ id: 'c', address: { city: 'Lyon', geo: { lat: 1 } }, tags: ['a'], metadata: {} }),
    ).toEqual({
      id: 'c',
      'address.city': 'Lyon',
      'address.geo.lat': 1,
      tags: ['a'],
      metadata: {},
    });
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(cellText(null)).toBe('');
  });

  it('refuses a literal secret and names the field; references pass', () => {
    expect(checkSecrets({ name: 'x', apiKey: 'sk_test_123' })).toMatchObject({
      code: 'SECRET_NOT_REFERENCE',
      field: 'apiKey',
    });
    expect(checkSecrets({ name: 'x', apiKey: 'env:KEY', webhookSecret: 'whsec_1' })).toMatchObject({
      field: 'webhookSecret',
    });
    expect(checkSecrets({ name: 'x', apiKey: 'file:./key.txt' })).toBeNull();
  });

  it('counts deliveries per minute over the last 30 minutes', () => {
    const now = Date.parse('2026-12-01T12:30:00Z');
    const buckets = perMinute(
      [
        { at: '2026-12-01T12:29:30Z' },
        { at: '2026-12-01T12:29:10Z' },
        { createdAt: (now - 5 * 60_000) / 1000 },
        { at: '2026-12-01T11:00:00Z' },
        { at: 'not a time' },
      ],
      now,
    );
    expect(buckets).toHaveLength(30);
    expect(buckets[29]).toBe(2);
    expect(buckets[24]).toBe(1);
    expect(buckets.reduce((a: number, b: number) => a + b, 0)).toBe(3);
  });

  it('reads server-sent events from a fetch body, with the token as a header only', async () => {
    const store = new Map([['stripe-connector.token', 'sct_abc']]);
    vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null });
    const chunks = ['event: trigger\ndata: {"name":', '"a"}\n\n: comment\n\n', 'data: x\ndata: y\n\n'];
    const fetchMock = vi.fn(
      async (_url: string, _init: RequestInit) =>
        new Response(
          new ReadableStream({
            start(c) {
              for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
              c.close();
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    );
    vi.stubGlobal('fetch', fetchMock);
    const events: unknown[] = [];
    await readEvents('/api/triggers/events', (e: unknown) => events.push(e));
    expect(events).toEqual([
      { event: 'trigger', data: '{"name":"a"}' },
      { event: 'message', data: 'x\ny' },
    ]);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/triggers/events');
    expect(new Headers(init.headers).get('authorization')).toBe('Bearer sct_abc');
  });
});
