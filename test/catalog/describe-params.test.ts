/** `describe` shows each operation's parameters: name, type, required, enum, in JSON and the table. */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import { describeEntity, parameterRows } from '../../src/catalog/describe.ts';
import { runCli } from '../cli/run.ts';

describe('operation parameters', () => {
  const catalog = loadCatalog();

  it('describeEntity gives every operation its params, nested fields included', () => {
    const d = describeEntity(catalog, catalog.entity('PaymentIntent'));
    const create = d.operations.find((o) => o.name === 'create')!;
    expect(create.params.find((p) => p.name === 'capture_method')).toMatchObject({
      type: 'enum',
      required: false,
      enum: expect.arrayContaining(['automatic', 'manual']),
    });
    expect(create.params.find((p) => p.name === 'amount')).toMatchObject({ type: 'integer', required: true });
    const rows = parameterRows(d.operations);
    expect(rows).toContainEqual(
      expect.objectContaining({ operation: 'create', name: 'shipping.address.city' }),
    );
    expect(rows.filter((r) => r.name === 'expand')).toEqual([]);
  });

  it('describe --json and the table show them', async () => {
    const json = await runCli(['describe', 'PaymentIntent', '--json']);
    const ops = JSON.parse(json.stdout).operations as Array<{ name: string; params: any[] }>;
    expect(ops.find((o) => o.name === 'create')!.params).toContainEqual(
      expect.objectContaining({ name: 'capture_method', type: 'enum', required: false }),
    );
    const table = await runCli(['describe', 'PaymentIntent']);
    expect(table.code).toBe(0);
    const line = table.stdout.split('\n').find((l) => /\bcreate\b.*\bcapture_method\b/.test(l));
    expect(line).toMatch(/enum.*automatic automatic_async manual/);
    expect(table.stdout).toMatch(/\bcreate\b.*\bamount\*.*integer/);
  }, 60_000);
});
