/**
 * Tool results as an agent receives them. The CLI returns Stripe's data whole (client_secret too:
 * it is the caller's own data); an agent's context is logged, shared and replayed, so here every
 * secret is removed: fields that hold one (SECRET_FIELDS), and any value the connection's redactor
 * recognises (API keys, webhook secrets, `…_secret_…` client secrets, card numbers). Errors carry the
 * ConnectorError's code, message and field, never a stack.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { REDACTED, type Redactor } from '../connection/redact.ts';
import { toConnectorError } from '../errors.ts';

/** Field names whose value is a secret wherever they appear, and per Stripe object type. */
const SECRET_FIELDS = {
  // PaymentIntent / SetupIntent / CheckoutSession / CustomerSession client_secret; EphemeralKey,
  // WebhookEndpoint and TerminalConnectionToken `secret`.
  any: new Set(['client_secret', 'secret']),
  // An Apps secret's value travels in `payload` (FindAppsSecret with expand).
  byObject: { 'apps.secret': new Set(['payload']) } as Record<string, Set<string>>,
};

export function redactValue(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redactor));
  if (!value || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const perObject = typeof object.object === 'string' ? SECRET_FIELDS.byObject[object.object] : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(object)) {
    const secret = SECRET_FIELDS.any.has(key) || perObject?.has(key);
    out[key] = secret && v != null && v !== '' ? REDACTED : redactValue(v, redactor);
  }
  return out;
}

interface FileAnswer {
  contentType: string;
  body: Buffer;
}

const isFile = (value: unknown): value is FileAnswer =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as FileAnswer).body);

/** A tool's answer: JSON text for every client, the same object as structured content. */
export function toolResult(value: unknown, redactor: Redactor): CallToolResult {
  if (isFile(value)) {
    // A file (the quote PDF) is a blob resource; the structured part says what it is.
    const { contentType, body } = value;
    return {
      content: [
        {
          type: 'resource',
          resource: { uri: 'stripe-connector://file', mimeType: contentType, blob: body.toString('base64') },
        },
      ],
      structuredContent: { contentType, bytes: body.length },
    };
  }
  const clean = redactValue(value, redactor);
  const structured = clean && typeof clean === 'object' && !Array.isArray(clean) ? clean : { result: clean };
  return {
    content: [{ type: 'text', text: JSON.stringify(structured) }],
    structuredContent: structured as Record<string, unknown>,
  };
}

/** Any failure as a tool error: `{ error: { code, message, field, details } }`, redacted. */
export function toolError(error: unknown, redactor: Redactor): CallToolResult {
  const mapped = toConnectorError(error);
  const { field, ...details } = mapped.details;
  const body = {
    error: {
      code: mapped.code,
      message: mapped.message,
      ...(field !== undefined ? { field } : {}),
      ...(Object.keys(details).length ? { details } : {}),
    },
  };
  const clean = redactValue(body, redactor) as Record<string, unknown>;
  return {
    isError: true,
    content: [{ type: 'text', text: JSON.stringify(clean) }],
    structuredContent: clean,
  };
}
