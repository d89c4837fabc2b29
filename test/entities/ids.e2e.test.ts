import { describe, expect, it } from 'vitest';
import { createEntity, getEntity, updateEntity, deleteEntity } from '../../src/entities/index.ts';
import { runAction } from '../../src/actions/index.ts';
import { rejection, useEmulator } from '../support/emulator.ts';

const env = useEmulator();

describe('path ids are checked before any call', () => {
  const bad = ['.', '..', 'cus_1/../x', 'a/b', 'cus 1', ' cus_1', 'cus_1\n', 'cus\u0000', '\t'];

  it.each(bad)('refuses %j for get, update, delete and actions, and sends nothing', async (id) => {
    const before = env.emulator.requests.length;
    for (const call of [
      getEntity(env.ctx, 'Customer', id),
      updateEntity(env.ctx, 'Customer', id, { description: 'dot' }),
      deleteEntity(env.ctx, 'Customer', id),
      updateEntity(env.ctx, 'Product', id, { name: 'x' }),
      runAction(env.ctx, 'ConfirmPaymentIntent', { PaymentIntentId: id }),
      runAction(env.ctx, 'UpdateCustomer', { id, description: 'x' }),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(JSON.stringify(id));
      expect(error.details.field).toMatch(/Id$/);
    }
    expect(env.emulator.requests.length).toBe(before);
  });

  it('names the parent id that is wrong', async () => {
    const error = await rejection(
      createEntity(
        env.ctx,
        'TaxId',
        { type: 'eu_vat', value: 'DE123456789' },
        { parents: { customer: '..' } },
      ),
    );
    expect(error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'CustomerId', pathParam: 'customer' },
    });
  });

  it('still takes ordinary ids', async () => {
    const customer = (await createEntity(env.ctx, 'Customer', { email: 'ok@example.com' })) as { id: string };
    expect(await getEntity(env.ctx, 'Customer', customer.id)).toMatchObject({ id: customer.id });
  });
});
