/** PdfQuote, the one action whose answer is a file: native bytes, seed and flat rows without them. */
import { describe, expect, it } from 'vitest';
import { runAction, type ActionFile } from '../../src/actions/index.ts';
import { createEntity } from '../../src/entities/index.ts';
import type { Gateway } from '../../src/gateway/index.ts';
import { rejection, useEmulator } from '../support/emulator.ts';

const env = useEmulator();
type Json = Record<string, any>;

async function finalizedQuote(): Promise<string> {
  const create = (entity: string, payload: Json) => createEntity(env.ctx, entity, payload) as Promise<Json>;
  const customer = await create('Customer', { name: 'Pdf' });
  const product = await create('Product', { name: 'Pdf product' });
  const price = await create('Price', { product: product.id, unit_amount: 500, currency: 'usd' });
  const quote = await create('Quote', {
    customer: customer.id,
    line_items: [{ price: price.id, quantity: 1 }],
  });
  await runAction(env.ctx, 'FinalizeQuote', { QuoteId: quote.id });
  return quote.id;
}

describe('PdfQuote', () => {
  it('returns { contentType, body: Buffer } natively, fetched with GET /v1/quotes/{quote}/pdf', async () => {
    const id = await finalizedQuote();
    env.emulator.clearRequests();
    const file = (await runAction(env.ctx, 'PdfQuote', { QuoteId: id })) as ActionFile;
    expect(file.contentType).toBe('application/pdf');
    expect(Buffer.isBuffer(file.body)).toBe(true);
    expect(file.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(env.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/quotes/${id}/pdf`]);
  });

  it('seed and flat shapes give the content type and size, no bytes in JSON', async () => {
    const id = await finalizedQuote();
    const native = (await runAction(env.ctx, 'PdfQuote', { QuoteId: id })) as ActionFile;
    const seed = await runAction(env.ctx, 'PdfQuote', { QuoteId: id }, { shape: 'seed' });
    expect(seed).toEqual([{ Success: 'true', ContentType: 'application/pdf', Bytes: native.body.length }]);
    const flat = await runAction(env.ctx, 'PdfQuote', { QuoteId: id }, { shape: 'flat' });
    expect(flat).toEqual({ content_type: 'application/pdf', bytes: native.body.length });
  });

  it('a missing QuoteId is refused before any call; a gateway without download declines', async () => {
    env.emulator.clearRequests();
    const missing = await rejection(runAction(env.ctx, 'PdfQuote', {}));
    expect(missing.code).toBe('MISSING_FIELD');
    expect(env.emulator.requests).toHaveLength(0);
    const jsonOnly: Gateway = { ...env.ctx.gateway, download: undefined };
    const declined = await rejection(
      runAction({ ...env.ctx, gateway: jsonOnly }, 'PdfQuote', { QuoteId: 'qt_1' }),
    );
    expect(declined.code).toBe('OPERATION_NOT_SUPPORTED');
    expect(declined.message).toMatch(/PdfQuote returns a file \(application\/pdf\)/);
  });
});
