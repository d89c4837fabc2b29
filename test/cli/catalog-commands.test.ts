import { describe, expect, it } from 'vitest';
import { runCli } from '../e2e/run.ts';
import { GOOGLE_SEED_ACTIONS } from '../support/seeds.ts';

describe('catalog commands', () => {
  it('entities --json lists every entity with its operations', async () => {
    const { code, stdout } = await runCli(['entities', '--json']);
    expect(code).toBe(0);
    const entities = JSON.parse(stdout);
    expect(entities.length).toBeGreaterThanOrEqual(120);
    const customer = entities.find((e: any) => e.entity === 'Customer');
    expect(customer.operations).toEqual(['list', 'retrieve', 'create', 'update', 'delete', 'search']);
  });

  it('describe PaymentIntent --json shows fields, the status enum and its actions', async () => {
    const { code, stdout } = await runCli(['describe', 'PaymentIntent', '--json']);
    expect(code).toBe(0);
    const pi = JSON.parse(stdout);
    const field = (name: string) => pi.fields.find((f: any) => f.name === name);
    expect(field('amount').type).toBe('integer');
    expect(field('currency').type).toBe('string');
    expect(field('payment_method').expandable).toEqual(['payment_method']);
    expect(field('status').enum).toContain('succeeded');
    const actions = pi.actions.map((a: any) => a.name);
    expect(actions).toEqual(
      expect.arrayContaining(['ConfirmPaymentIntent', 'CapturePaymentIntent', 'CancelPaymentIntent']),
    );
    const confirm = pi.actions.find((a: any) => a.name === 'ConfirmPaymentIntent');
    expect(confirm.inputs[0]).toMatchObject({ name: 'PaymentIntentId', required: true });
  });

  it('actions --json contains the nine actions of the Google seed', async () => {
    const { code, stdout } = await runCli(['actions', '--json']);
    expect(code).toBe(0);
    const names = JSON.parse(stdout).flatMap((a: any) => [a.name, ...a.aliases]);
    for (const name of GOOGLE_SEED_ACTIONS) {
      expect(names).toContain(name);
    }
  });

  it('an unknown entity exits 2 naming the closest match', async () => {
    const { code, stderr } = await runCli(['describe', 'PaymentIntnt']);
    expect(code).toBe(2);
    expect(stderr).toContain('UNKNOWN_ENTITY');
    expect(stderr).toContain('did you mean PaymentIntent');
  });
  // Every command's --help: test/e2e/cli-journeys.test.ts (the list comes from the program).
});
