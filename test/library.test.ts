import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as connector from '../src/index.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';

describe('the library entry point', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());

  it('runs the README example: create, query, act', async () => {
    const ctx: connector.ConnectorContext = {
      catalog: connector.loadCatalog(),
      gateway: connector.createGateway({ apiKey: 'sk_test_readme', baseUrl: emulator.url }),
    };
    const created = (await connector.createEntity(ctx, 'Customer', { Email: 'jane@example.com' })) as any;
    const rows = await connector.collect(ctx, {
      sql: "SELECT id, email FROM Customer WHERE email = 'jane@example.com'",
    });
    expect(rows).toEqual([{ id: created.id, email: 'jane@example.com' }]);
    const intent = (await connector.createEntity(ctx, 'PaymentIntent', {
      PaymentMethod: 'pm_card_visa',
      Currency: 'usd',
      Amount: 1500.0,
    })) as any;
    const [row] = (await connector.runAction(
      ctx,
      'ConfirmPaymentIntent',
      { PaymentIntentId: intent.id },
      { shape: 'seed' },
    )) as any[];
    expect(row).toMatchObject({ Success: 'true', id: intent.id, status: 'succeeded' });
    await ctx.gateway.close();
  });
});
