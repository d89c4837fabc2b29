/** What an agent receives: secrets removed by field and by pattern; errors without stacks. */
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../src/connection/redact.ts';
import { ConnectorError } from '../../src/errors.ts';
import { redactValue, toolError, toolResult } from '../../src/mcp/results.ts';

const redactor = createRedactor(['sk_test_ownKey123']);

describe('redactValue', () => {
  it('removes secret fields wherever they are, whatever their shape', () => {
    const value = {
      object: 'ephemeral_key',
      secret: 'ek_test_YWNjdF8x',
      nested: [{ client_secret: 'opaque-value' }],
      empty: { client_secret: null },
      email: 'a@b.c',
    };
    expect(redactValue(value, redactor)).toEqual({
      object: 'ephemeral_key',
      secret: REDACTED,
      nested: [{ client_secret: REDACTED }],
      empty: { client_secret: null },
      email: 'a@b.c',
    });
  });

  it("removes an Apps secret's payload, and only there", () => {
    expect(redactValue({ object: 'apps.secret', name: 'token', payload: 'abc123' }, redactor)).toEqual({
      object: 'apps.secret',
      name: 'token',
      payload: REDACTED,
    });
    expect(redactValue({ object: 'event', payload: 'kept' }, redactor)).toEqual({
      object: 'event',
      payload: 'kept',
    });
  });

  it('removes secret-looking values in any field: keys, the connection key, card numbers', () => {
    const out = redactValue(
      { description: 'key sk_live_abcdef and sk_test_ownKey123', note: 'card 4242 4242 4242 4242' },
      redactor,
    ) as Record<string, string>;
    expect(out.description).toBe(`key ${REDACTED} and ${REDACTED}`);
    expect(out.note).toBe(`card ${REDACTED}`);
  });
});

describe('tool results', () => {
  it('an error carries code, message and field, never a stack or a secret', () => {
    const error = new ConnectorError('UNKNOWN_FIELD', 'unknown field "emial" (key sk_test_ownKey123)', {
      field: 'emial',
      suggestion: 'email',
    });
    const result = toolError(error, redactor);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toEqual({
      error: {
        code: 'UNKNOWN_FIELD',
        message: `unknown field "emial" (key ${REDACTED})`,
        field: 'emial',
        details: { suggestion: 'email' },
      },
    });
    const internal = toolError(new TypeError('x is undefined'), redactor);
    expect(internal.structuredContent).toEqual({ error: { code: 'INTERNAL', message: 'x is undefined' } });
    expect(JSON.stringify(internal)).not.toContain('at ');
  });

  it('a file answer (the quote PDF) is a blob resource, not JSON bytes', () => {
    const result = toolResult({ contentType: 'application/pdf', body: Buffer.from('%PDF-1.4') }, redactor);
    expect(result.content[0]).toMatchObject({
      type: 'resource',
      resource: { mimeType: 'application/pdf', blob: Buffer.from('%PDF-1.4').toString('base64') },
    });
    expect(result.structuredContent).toEqual({ contentType: 'application/pdf', bytes: 8 });
  });
});
