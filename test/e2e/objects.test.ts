/** get/create/update/delete/action through the real CLI against the emulator. */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { runCli } from './run.ts';

let emulator: Emulator;
let env: Record<string, string>;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  env = { STRIPE_API_KEY: 'sk_test_123', STRIPE_API_BASE: emulator.url };
});
afterAll(() => emulator?.close());

const json = (stdout: string) => JSON.parse(stdout);

describe('entity and action commands', () => {
  it('create (seed shape, payload from a file), update, get --flat, action, delete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-cli-'));
    writeFileSync(join(dir, 'pi.json'), '{"PaymentMethod":"pm_card_visa","Currency":"usd","Amount":1500.0}');
    const created = await runCli(
      ['create', 'PaymentIntent', '--payload', `@${join(dir, 'pi.json')}`, '--shape', 'seed'],
      env,
    );
    expect(created.code).toBe(0);
    const { Id } = json(created.stdout);
    expect(Id).toMatch(/^pi_/);

    const confirmed = await runCli(
      [
        'action',
        'ConfirmPaymentIntent',
        '--payload',
        JSON.stringify({ PaymentIntentId: Id }),
        '--shape',
        'seed',
      ],
      env,
    );
    expect(confirmed.code).toBe(0);
    expect(json(confirmed.stdout)[0]).toMatchObject({ Success: 'true', id: Id, status: 'succeeded' });

    const customer = json(
      (await runCli(['create', 'Customer', '--payload', '{"Email":"a@b.c","Address.City":"Berlin"}'], env))
        .stdout,
    );
    const updated = await runCli(
      ['update', 'Customer', customer.id, '--payload', '{"Name":"John"}', '--shape', 'seed'],
      env,
    );
    expect(json(updated.stdout)).toEqual({ Id: customer.id });
    const got = await runCli(['get', 'Customer', customer.id, '--flat'], env);
    expect(json(got.stdout)).toMatchObject({ id: customer.id, name: 'John', 'address.city': 'Berlin' });

    const taxId = json(
      (
        await runCli(
          [
            'create',
            'TaxId',
            '--parent',
            `customer=${customer.id}`,
            '--payload',
            '{"Type":"eu_vat","Value":"DE123456789"}',
          ],
          env,
        )
      ).stdout,
    );
    const deletedTax = await runCli(
      ['delete', 'TaxId', taxId.id, '--parent', `customer=${customer.id}`],
      env,
    );
    expect(json(deletedTax.stdout)).toMatchObject({ id: taxId.id, deleted: true });
    const deleted = await runCli(['delete', 'Customer', customer.id, '--shape', 'seed'], env);
    expect(json(deleted.stdout)).toEqual({ Id: customer.id, Success: 'true' });
  });

  it('bad input exits 2 with the fault named, before any call', async () => {
    emulator.clearRequests();
    const amount = await runCli(
      ['create', 'PaymentIntent', '--payload', '{"Currency":"usd","Amount":1500.5}'],
      env,
    );
    expect(amount.code).toBe(2);
    expect(amount.stderr).toMatch(/INVALID_VALUE.*"amount"/);
    const badJson = await runCli(['update', 'Customer', 'cus_1', '--payload', '{"Name":'], env);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--payload');
    const unknown = await runCli(['action', 'CaptureIntent', '--payload', '{}'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/UNKNOWN_ACTION.*did you mean/);
    const unsupported = await runCli(['delete', 'PaymentIntent', 'pi_1'], env);
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/OPERATION_NOT_SUPPORTED.*PaymentIntent/);
    expect(emulator.requests).toHaveLength(0);
  });

  it('actions --json lists every action with inputs, incl. the seed names and the Microsoft actions', async () => {
    const out = await runCli(['actions', '--json'], env);
    const rows = json(out.stdout) as Array<{
      name: string;
      aliases: string[];
      inputs: Array<Record<string, any>>;
    }>;
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('CapturePaymentIntent')!.inputs[0]).toMatchObject({
      name: 'PaymentIntentId',
      type: 'string',
      required: true,
      aliases: expect.arrayContaining(['intent']),
    });
    expect(byName.get('FinalizeQuote')!.inputs[0].aliases).toContain('SouQuoteIdrcePath');
    expect(byName.get('AttachPaymentMethod')!.aliases).toContain('AttachPaymentMethodToCustomer');
    expect(byName.get('AttachPaymentMethod')!.inputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'customer', required: true, aliases: ['CustomerId'] }),
      ]),
    );
    expect(
      byName.get('CancelPaymentIntent')!.inputs.find((i) => i.name === 'cancellation_reason')!.enum,
    ).toContain('abandoned');
    for (const name of ['CreateProduct', 'UpdateProduct', 'CreateCustomer', 'GetCustomer', 'UpdateCustomer'])
      expect(byName.has(name)).toBe(true);
  });
});
