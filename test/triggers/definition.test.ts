import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { parseTrigger } from '../../src/triggers/definition.ts';
import { checkEventTypes, knownEventTypes } from '../../src/triggers/event-types.ts';
import { fromPreset, PRESETS, type PresetName } from '../../src/triggers/presets.ts';
import { MICROSOFT_SEED_TRIGGER_FIELDS } from '../support/seeds.ts';
import { parseFields, project } from '../../src/triggers/project.ts';

const base = { name: 'new-customers', source: 'events', events: ['customer.created'], sink: 'stdout' };

function invalid(input: unknown): ConnectorError {
  try {
    parseTrigger(input);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected the definition to be refused');
}

describe('trigger definitions', () => {
  it("fills the defaults: Microsoft's 120 s and 100 events/s, ordered delivery", () => {
    expect(parseTrigger(base)).toMatchObject({
      connection: 'default',
      interval: '120s',
      intervalMs: 120_000,
      delivery: { mode: 'ordered', concurrency: 8 },
      rateLimit: 100,
      retry: { maxAttempts: 12, maxAge: '72h' },
      maxAgeMs: 72 * 3_600_000,
      sinkSpec: { kind: 'stdout' },
    });
  });

  it('parses every sink form and intervals down to 1 s', () => {
    const sinks = {
      'file:out.ndjson': { kind: 'file', path: 'out.ndjson' },
      'exec:./handle.sh --json': { kind: 'exec', command: './handle.sh --json' },
      'https://flow.example/hook': {
        kind: 'http',
        url: 'https://flow.example/hook',
        secret: 'env:SINK_SECRET',
      },
    };
    for (const [sink, spec] of Object.entries(sinks)) {
      expect(parseTrigger({ ...base, sink, sinkSecret: 'env:SINK_SECRET', interval: '1s' }).sinkSpec).toEqual(
        spec,
      );
    }
  });

  it('names every offending key path in one error', () => {
    const error = invalid({
      ...base,
      name: 'New_Customers',
      interval: '500ms',
      delivery: { mode: 'paralel' },
      sink: 'ftp://x',
      fields: ['ok', 'not a path'],
      colour: 'red',
    });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details.keys).toEqual(
      expect.arrayContaining(['name', 'interval', 'delivery.mode', 'fields.1', 'colour']),
    );
    expect(error.message).toMatch(/interval: must be a duration such as 120s, 5m or 2h, at least 1s/);
    expect(error.message).toMatch(/colour: unknown key/);
  });

  it('checks what depends on the source and the sink', () => {
    expect(invalid({ ...base, events: undefined }).message).toMatch(
      /events: needs at least one event type for a events source/,
    );
    expect(invalid({ ...base, source: 'objects', events: undefined }).details.keys).toEqual(['entity']);
    expect(invalid({ ...base, sink: 'https://flow.example/hook' }).message).toMatch(
      /sink: an http\(s\) sink needs sinkSecret/,
    );
    expect(invalid({ ...base, sink: 'ftp://x' }).message).toMatch(
      /sink: must be destination:NAME, http\(s\):\/\/…, file:PATH, stdout or exec:COMMAND/,
    );
    expect(invalid({ ...base, sink: 'https://u:p@hooks.example/x', sinkSecret: 'env:S' }).message).toMatch(
      /sink: a sink URL can't carry credentials/,
    );
    expect(invalid({ ...base, sink: 'destination:Bad_Name' }).message).toMatch(/destination: needs the name/);
    expect(invalid({ ...base, sink: 'https://x.test', sinkSecret: 'whsec_literal' }).details.keys).toEqual([
      'sinkSecret',
    ]);
  });
});

describe('presets', () => {
  it('gives the four seed triggers their events and the seed fields', () => {
    expect(Object.keys(PRESETS)).toEqual([
      'charge-added',
      'customer-added',
      'invoiceitem-added',
      'order-added',
    ]);
    const t = parseTrigger(fromPreset('customer-added', { name: 'c', sink: 'stdout' }));
    expect(t).toMatchObject({ source: 'events', events: ['customer.created'], preset: 'customer-added' });
    expect(t.fields).toContain('account_balance=balance');
    expect(parseTrigger(fromPreset('charge-added', { name: 'c', sink: 'stdout' })).events).toEqual([
      'charge.succeeded',
      'charge.failed',
      'charge.pending',
    ]);
    expect(parseTrigger(fromPreset('order-added', { name: 'o', sink: 'stdout' })).events).toEqual([
      'order.created',
    ]);
    expect(
      parseTrigger(fromPreset('invoiceitem-added', { name: 'i', sink: 'stdout', interval: '1s' })).intervalMs,
    ).toBe(1000);
  });

  it("outputs exactly the seed's fields for each of the four triggers, in the seed's order", () => {
    for (const [preset, seed] of Object.entries(MICROSOFT_SEED_TRIGGER_FIELDS)) {
      // `out=path` fields come out under `out` (the seed's name for a renamed API field).
      const out = (PRESETS[preset as PresetName].fields as string[]).map((f) => f.split('=')[0]);
      expect([preset, out]).toEqual([preset, seed]);
    }
  });

  it('charge-added can use the object poller instead, and the user overrides win', () => {
    const t = parseTrigger(fromPreset('charge-added', { name: 'c', sink: 'stdout', source: 'objects' }));
    expect(t).toMatchObject({ source: 'objects', entity: 'Charge' });
    expect(t.events).toBeUndefined();
    expect(
      parseTrigger(fromPreset('customer-added', { name: 'c', sink: 'stdout', fields: ['id'] })).fields,
    ).toEqual(['id']);
  });

  it('refuses an unknown preset naming the known ones', () => {
    expect(() => fromPreset('customer-adde', {})).toThrow(
      /preset: unknown preset "customer-adde" \(one of charge-added, customer-added/,
    );
  });
});

describe('fields projection', () => {
  const customer = { id: 'cus_1', balance: -500, email: 'a@b.c', discount: null, created: 1 };
  it('keeps the nesting, maps renamed fields and gives null for what the object lacks', () => {
    const fields = parseFields(PRESETS['customer-added'].fields as string[]);
    const out = project(customer, fields);
    expect(out).toMatchObject({
      id: 'cus_1',
      account_balance: -500,
      email: 'a@b.c',
      discount: null,
      currency: null,
    });
    const withDiscount = project(
      { ...customer, discount: { end: 9, coupon: { id: 'co_1', percent_off: 10, extra: 1 } } },
      fields,
    );
    expect(withDiscount.discount).toEqual({
      customer: null,
      end: 9,
      start: null,
      subscription: null,
      coupon: { id: 'co_1', name: null, duration: null, percent_off: 10, amount_off: null },
    });
  });

  it("gives the charge's removed order field as null and its outcome sub-fields nested", () => {
    const charge = {
      id: 'ch_1',
      amount: 100,
      outcome: { type: 'authorized', risk_level: 'normal', rule: 'x' },
    };
    const out = project(charge, parseFields(PRESETS['charge-added'].fields as string[]));
    expect(out.order).toBeNull();
    expect(out.outcome).toEqual({
      network_status: null,
      reason: null,
      risk_level: 'normal',
      seller_message: null,
      type: 'authorized',
    });
  });
});

describe('event types', () => {
  const catalog = loadCatalog();
  it("knows the catalog's 223 event types, order.created among them", () => {
    expect(knownEventTypes(catalog)).toHaveLength(223);
    expect(knownEventTypes(catalog)).toContain('order.created');
  });
  it('accepts known types and wildcards, names a typo with a suggestion', () => {
    expect(() => checkEventTypes(catalog, ['charge.succeeded', 'charge.*', '*'])).not.toThrow();
    expect(() => checkEventTypes(catalog, ['charge.succeeded', 'custmer.created', 'nothing.*'])).toThrow(
      /events\.1: unknown event type "custmer\.created" \(did you mean "customer\.created"\?\); events\.2: unknown event type "nothing\.\*"/,
    );
  });
});
