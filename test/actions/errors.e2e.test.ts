/** An invalid call of each kind gives the right error code, and bad input never reaches Stripe. */
import { describe, expect, it } from 'vitest';
import { runAction } from '../../src/actions/index.ts';
import { createEntity } from '../../src/entities/index.ts';
import { rejection, useEmulator } from '../support/emulator.ts';

const env = useEmulator();
type Json = Record<string, any>;

describe('invalid action calls', () => {
  it('unknown action → UNKNOWN_ACTION with a suggestion', async () => {
    const e = await rejection(runAction(env.ctx, 'CapturePaymentIntnet', {}));
    expect(e.code).toBe('UNKNOWN_ACTION');
    expect(e.details.suggestion).toBe('CapturePaymentIntent');
    expect(e.message).toContain('did you mean CapturePaymentIntent');
  });

  it('missing id → MISSING_FIELD naming the seed’s input, before any call', async () => {
    env.emulator.clearRequests();
    const e = await rejection(runAction(env.ctx, 'CapturePaymentIntent', {}));
    expect(e.code).toBe('MISSING_FIELD');
    expect(e.details.field).toBe('PaymentIntentId');
    expect(e.message).toContain('intent');
    const attach = await rejection(
      runAction(env.ctx, 'AttachPaymentMethodToCustomer', { PaymentMethodId: 'pm_card_visa' }),
    );
    expect(attach).toMatchObject({ code: 'MISSING_FIELD', details: { field: 'customer' } });
    expect(env.emulator.requests).toHaveLength(0);
  });

  it('wrong type → INVALID_VALUE naming the field; unknown field → UNKNOWN_FIELD; bad shape → INVALID_ARGUMENT', async () => {
    env.emulator.clearRequests();
    const amount = await rejection(
      runAction(env.ctx, 'IncrementAuthorizationPaymentIntent', { PaymentIntentId: 'pi_1', Amount: 10.5 }),
    );
    expect(amount).toMatchObject({ code: 'INVALID_VALUE', details: { field: 'amount' } });
    const bool = await rejection(
      runAction(env.ctx, 'PayInvoice', { InvoiceId: 'in_1', PaidOutOfBand: 'yes' }),
    );
    expect(bool).toMatchObject({ code: 'INVALID_VALUE', details: { field: 'paid_out_of_band' } });
    const id = await rejection(runAction(env.ctx, 'FinalizeInvoice', { InvoiceId: 42 }));
    expect(id).toMatchObject({ code: 'INVALID_VALUE', details: { field: 'InvoiceId' } });
    const unknown = await rejection(
      runAction(env.ctx, 'CapturePaymentIntent', { PaymentIntentId: 'pi_1', AmountToCaptur: 5 }),
    );
    expect(unknown).toMatchObject({ code: 'UNKNOWN_FIELD', details: { suggestion: 'amount_to_capture' } });
    const shape = await rejection(
      runAction(env.ctx, 'CapturePaymentIntent', { PaymentIntentId: 'pi_1' }, { shape: 'xml' as any }),
    );
    expect(shape.code).toBe('INVALID_ARGUMENT');
    expect((await rejection(runAction(env.ctx, 'CapturePaymentIntent', [] as any))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(env.emulator.requests).toHaveLength(0);
  });

  it('wrong state → Stripe’s error mapped by the gateway (capture of an already-captured intent), never a fake success', async () => {
    const intent = (await createEntity(env.ctx, 'PaymentIntent', {
      amount: 1500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
      confirm: true,
    })) as Json;
    await runAction(env.ctx, 'CapturePaymentIntent', { PaymentIntentId: intent.id });
    const e = await rejection(
      runAction(env.ctx, 'CapturePaymentIntent', { PaymentIntentId: intent.id }, { shape: 'seed' }),
    );
    expect(e.code).toBe('STRIPE_INVALID_REQUEST');
    expect(e.details.stripe).toMatchObject({ code: 'payment_intent_unexpected_state' });
    const declined = (await createEntity(env.ctx, 'PaymentIntent', {
      amount: 1500,
      currency: 'usd',
      payment_method: 'pm_card_chargeDeclined',
    })) as Json;
    const card = await rejection(
      runAction(env.ctx, 'ConfirmPaymentIntent', { PaymentIntentId: declined.id }, { shape: 'seed' }),
    );
    expect(card.code).toBe('STRIPE_CARD_DECLINED');
    const missing = await rejection(
      runAction(env.ctx, 'CancelQuote', { QuoteId: 'qt_missing' }, { shape: 'seed' }),
    );
    expect(missing.code).toBe('STRIPE_NOT_FOUND');
  });

  it('every write carries an idempotency key; the caller’s own is passed through', async () => {
    const intent = (await createEntity(env.ctx, 'PaymentIntent', {
      amount: 1500,
      currency: 'usd',
      payment_method: 'pm_card_visa',
    })) as Json;
    env.emulator.clearRequests();
    await runAction(
      env.ctx,
      'ConfirmPaymentIntent',
      { PaymentIntentId: intent.id },
      { idempotencyKey: 'confirm-once' },
    );
    // The same key again: Stripe (and the emulator) replay the first answer instead of confirming twice.
    const replay = (await runAction(
      env.ctx,
      'ConfirmPaymentIntent',
      { PaymentIntentId: intent.id },
      { idempotencyKey: 'confirm-once' },
    )) as Json;
    expect(replay.status).toBe('succeeded');
    const writes = env.emulator.requests.filter((r) => r.method === 'POST');
    expect(writes.map((w) => w.idempotencyKey)).toEqual(['confirm-once', 'confirm-once']);
  });
});

describe('retries', () => {
  it('reuses one idempotency key across retries, so a flaky confirm charges once', async () => {
    const { startEmulator } = await import('../../src/emulator/index.ts');
    const { createGateway } = await import('../../src/gateway/index.ts');
    const { loadCatalog } = await import('../../src/catalog/index.ts');
    const flaky = await startEmulator({ port: 0, randomSeed: 5 });
    const catalog = loadCatalog();
    const gateway = createGateway(
      {
        apiKey: 'sk_test_123',
        baseUrl: flaky.url,
        apiVersion: catalog.apiVersion,
        throttle: { maxRetries: 20 },
      },
      { backoff: { baseMs: 1, maxMs: 5 } as any },
    );
    const ctx = { catalog, gateway };
    try {
      const intent = (await createEntity(ctx, 'PaymentIntent', {
        amount: 1500,
        currency: 'usd',
        payment_method: 'pm_card_visa',
      })) as Json;
      flaky.clearRequests();
      flaky.setConditions({ faults: { status: { 500: 0.75 } } });
      const out = (await runAction(ctx, 'ConfirmPaymentIntent', { PaymentIntentId: intent.id })) as Json;
      flaky.setConditions({ faults: {} });
      expect(out.status).toBe('succeeded');
      const attempts = flaky.requests.filter((r) => r.path.endsWith('/confirm'));
      expect(attempts.length).toBeGreaterThan(1);
      expect(new Set(attempts.map((r) => r.idempotencyKey)).size).toBe(1);
      const charges = (await gateway.request({
        method: 'GET',
        path: '/v1/charges',
        params: { payment_intent: intent.id },
      })) as Json;
      expect(charges.data).toHaveLength(1);
    } finally {
      await gateway.close();
      await flaky.close();
    }
  });
});
