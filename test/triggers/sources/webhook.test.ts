import { describe, expect, it } from 'vitest';
import { webhookSignature } from '../../../src/emulator/index.ts';
import { verifyWebhook, WebhookSignatureError } from '../../../src/triggers/sources/webhook.ts';

const SECRET = 'whsec_test_secret_one';
const event = {
  id: 'evt_1',
  object: 'event',
  type: 'customer.created',
  created: 1,
  data: { object: { id: 'cus_1' } },
};
const body = Buffer.from(JSON.stringify(event));
const now = () => Math.floor(Date.now() / 1000);

function refusal(fn: () => unknown): WebhookSignatureError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookSignatureError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('verifyWebhook', () => {
  it('returns the event when signed with one of the secrets', () => {
    const headers = { 'stripe-signature': webhookSignature(body.toString(), SECRET) };
    expect(verifyWebhook(body, headers, ['whsec_other', SECRET]).id).toBe('evt_1');
  });

  it.each([
    ['unsigned', {}, body],
    ['malformed', { 'stripe-signature': 'garbage' }, body],
    ['stale', { 'stripe-signature': webhookSignature(body.toString(), SECRET, now() - 301) }, body],
    [
      'mismatch',
      { 'stripe-signature': webhookSignature(body.toString(), SECRET) },
      Buffer.from(body.toString().replace('cus_1', 'cus_2')),
    ],
    ['mismatch', { 'stripe-signature': webhookSignature(body.toString(), 'whsec_someone_else') }, body],
  ])('refuses %s calls with a 400 naming why, never the secret', (reason, headers, payload) => {
    const error = refusal(() => verifyWebhook(payload, headers, [SECRET]));
    expect(error.reason).toBe(reason);
    expect(error.status).toBe(400);
    expect(JSON.stringify(error.toJSON())).not.toContain(SECRET);
  });

  it('refuses a signed event that lacks what delivery needs (no created), naming the key', () => {
    const { created: _created, ...rest } = event;
    const unusable = JSON.stringify(rest);
    const headers = { 'stripe-signature': webhookSignature(unusable, SECRET) };
    const error = refusal(() => verifyWebhook(Buffer.from(unusable), headers, [SECRET]));
    expect(error.reason).toBe('not-an-event');
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      'webhook refused: the event cannot be delivered: created: missing (an integer, epoch seconds)',
    );
  });

  it('accepts a signature 299 s old (the SDK tolerance is 300 s)', () => {
    const headers = { 'stripe-signature': webhookSignature(body.toString(), SECRET, now() - 299) };
    expect(verifyWebhook(body, headers, [SECRET]).type).toBe('customer.created');
  });
});
