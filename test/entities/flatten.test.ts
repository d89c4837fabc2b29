import { describe, expect, it } from 'vitest';
import { flatten } from '../../src/entities/flatten.ts';

describe('flatten', () => {
  const intent = {
    id: 'pi_1',
    object: 'payment_intent',
    amount: 1500,
    metadata: {},
    payment_method_types: ['card'],
    payment_method_options: { card: { installments: null, request_three_d_secure: 'automatic' } },
    last_payment_error: null,
  };

  it('turns nested objects into dotted columns and keeps arrays, nulls and empty objects as values', () => {
    expect(flatten(intent)).toEqual({
      id: 'pi_1',
      object: 'payment_intent',
      amount: 1500,
      metadata: {},
      payment_method_types: ['card'],
      'payment_method_options.card.installments': null,
      'payment_method_options.card.request_three_d_secure': 'automatic',
      last_payment_error: null,
    });
  });

  it('keeps a nested list as lines.data, lines.has_more, lines.total_count, lines.url', () => {
    const invoice = {
      id: 'in_1',
      lines: {
        object: 'list',
        data: [{ id: 'il_1', period: { start: 1 } }],
        has_more: false,
        total_count: 1,
        url: '/v1/invoices/in_1/lines',
      },
    };
    expect(flatten(invoice)).toEqual({
      id: 'in_1',
      'lines.object': 'list',
      'lines.data': [{ id: 'il_1', period: { start: 1 } }],
      'lines.has_more': false,
      'lines.total_count': 1,
      'lines.url': '/v1/invoices/in_1/lines',
    });
  });

  it('stops at maxDepth', () => {
    expect(flatten(intent, { maxDepth: 1 })['payment_method_options.card']).toEqual(
      intent.payment_method_options.card,
    );
    expect(flatten(intent, { maxDepth: 0 }).payment_method_options).toEqual(intent.payment_method_options);
  });
});
