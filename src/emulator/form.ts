/** Stripe's wire format: bracket-nested form bodies and query strings. */
import qs from 'qs';

const OPTIONS: qs.IParseOptions = {
  depth: 32,
  arrayLimit: 1000,
  parameterLimit: 100_000,
  allowPrototypes: false,
  // Stripe never uses dots as nesting (`metadata[a.b]` is a key with a dot).
  allowDots: false,
};

export function parseForm(text: string): Record<string, unknown> {
  if (!text) return {};
  return qs.parse(text, OPTIONS) as Record<string, unknown>;
}

/** Bodies may also arrive as JSON from hand-written clients; Stripe rejects that, but being lenient costs nothing. */
export function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (!text) return {};
  if (contentType?.includes('application/json')) {
    try {
      const value = JSON.parse(text);
      return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    } catch {
      return {};
    }
  }
  return parseForm(text);
}
