import { describe, expect, it } from 'vitest';
import { createEntity, updateEntity, mapPayload } from '../../src/entities/index.ts';
import { loadCatalog } from '../../src/catalog/index.ts';
import { rejection, useEmulator } from '../support/emulator.ts';

const env = useEmulator();
type Json = Record<string, any>;

describe('metadata', () => {
  it('an empty value unsets that key (as Stripe documents)', async () => {
    const customer = (await createEntity(env.ctx, 'Customer', {
      metadata: { plan: 'pro', team: 'a' },
    })) as Json;
    const updated = (await updateEntity(env.ctx, 'Customer', customer.id, {
      metadata: { plan: '' },
    })) as Json;
    const sent = env.emulator.requests.at(-1);
    expect(sent?.body).toEqual({ metadata: { plan: '' } });
    expect(updated.metadata).toEqual({ team: 'a' });
  });

  it('an empty value in a nested metadata map is sent too', () => {
    const catalog = loadCatalog();
    const op = catalog.operation(catalog.entity('Subscription'), 'create')!;
    const params = mapPayload(catalog, op.params, {
      customer: 'cus_1',
      items: [{ price: 'price_1' }],
      metadata: { a: '' },
    });
    expect(params.metadata).toEqual({ a: '' });
  });

  const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
  it.each([
    [{ metadata: tooMany }, 'metadata', /51 keys.*at most 50/],
    [{ metadata: { ['k'.repeat(41)]: 'v' } }, `metadata.${'k'.repeat(41)}`, /41 characters.*at most 40/],
    [{ metadata: { plan: 'v'.repeat(501) } }, 'metadata.plan', /501 characters.*up to 500/],
    [{ metadata: { 'a[b]': 'v' } }, 'metadata.a[b]', /"\[" or "\]"/],
    [{ 'metadata.a]': 'v' }, 'metadata.a]', /"\[" or "\]"/],
  ])('refuses %#: Stripe limits, naming the key path, before any call', async (payload, field, message) => {
    const before = env.emulator.requests.length;
    const error = await rejection(createEntity(env.ctx, 'Customer', payload));
    expect(error).toMatchObject({ code: 'INVALID_VALUE', details: { field } });
    expect(error.message).toMatch(message);
    expect(env.emulator.requests.length).toBe(before);
  });

  it('accepts exactly the limits', async () => {
    const full = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`${'k'.repeat(38)}${i}`.slice(-40), 'v'.repeat(500)]),
    );
    const created = (await createEntity(env.ctx, 'Customer', { metadata: full })) as Json;
    expect(Object.keys(created.metadata)).toHaveLength(50);
  });
});
