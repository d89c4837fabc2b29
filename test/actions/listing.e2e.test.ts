/** What `actions` lists as an action's inputs is what running it accepts. */
import { describe, expect, it } from 'vitest';
import { listActions, runAction } from '../../src/actions/index.ts';
import { REMOVED_FIELDS } from '../../src/catalog/overrides.ts';
import { rejection, useEmulator } from '../support/emulator.ts';

const env = useEmulator();

describe('actions listing and behaviour agree', () => {
  it('no listed input is one that running refuses as removed', async () => {
    const listed = listActions(env.ctx);
    for (const action of listed) {
      const removed = Object.keys(REMOVED_FIELDS[action.entity] ?? {});
      const names = action.inputs.map((i) => i.name.toLowerCase());
      for (const field of removed) expect(names, `${action.name} lists ${field}`).not.toContain(field);
    }
    const create = listed.find((a) => a.name === 'CreateProduct')!;
    expect(create.inputs.map((i) => i.name)).toEqual(
      expect.arrayContaining(['name', 'description', 'images', 'url']),
    );
  });

  it('every input CreateProduct lists is accepted when run', async () => {
    const create = listActions(env.ctx).find((a) => a.name === 'CreateProduct')!;
    const samples: Record<string, unknown> = {
      id: 'prod_listed',
      name: 'Listed',
      active: true,
      description: 'd',
      images: 'https://x/1.png',
      shippable: true,
      url: 'https://x',
    };
    const payload = Object.fromEntries(create.inputs.map((i) => [i.name, samples[i.name]]));
    expect(await runAction(env.ctx, 'CreateProduct', payload)).toMatchObject({ name: 'Listed' });
    const caption = await rejection(runAction(env.ctx, 'CreateProduct', { name: 'x', caption: 'c' }));
    expect(caption).toMatchObject({ code: 'UNKNOWN_FIELD', details: { field: 'caption', removed: true } });
  });
});
