/**
 * Stripe's wire format: bracket-nested form bodies and query strings. Stripe reads nothing else:
 * a JSON body or text that is not valid form encoding is refused (400), never read as `{}`.
 */
import qs from 'qs';
import { invalid } from './errors.ts';

const OPTIONS: qs.IParseOptions = {
  depth: 32,
  arrayLimit: 1000,
  parameterLimit: Infinity,
  // Null-prototype objects keep `__proto__` / `constructor` as ordinary (hence unknown) keys, so
  // validation refuses them like any other unknown parameter instead of qs dropping them silently.
  plainObjects: true,
  allowPrototypes: true,
  // Stripe never uses dots as nesting (`metadata[a.b]` is a key with a dot).
  allowDots: false,
};

/** Stripe's answer to a body it cannot read as a form. */
const NOT_A_FORM =
  'Invalid request (check that your POST content type is application/x-www-form-urlencoded). If you have any questions, we can help at https://support.stripe.com/.';

export function parseForm(text: string, where: 'body' | 'query' = 'query'): Record<string, unknown> {
  if (!text) return {};
  for (const piece of text.split('&')) {
    try {
      const eq = piece.indexOf('=');
      decodeURIComponent(piece.slice(eq + 1).replace(/\+/g, ' '));
      refuseProtoKey(decodeURIComponent((eq < 0 ? piece : piece.slice(0, eq)).replace(/\+/g, ' ')));
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
      throw where === 'body'
        ? invalid(NOT_A_FORM)
        : invalid(`Invalid percent-encoding in the query string: ${JSON.stringify(piece.slice(0, 100))}`);
    }
  }
  // Plain objects from here on: the rest of the emulator treats params as ordinary records.
  return toPlain(qs.parse(text, OPTIONS)) as Record<string, unknown>;
}

export function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type && type !== 'application/x-www-form-urlencoded') {
    if (!text) return {};
    throw invalid(NOT_A_FORM);
  }
  if (!type && /^\s*[[{]/.test(text)) throw invalid(NOT_A_FORM);
  return parseForm(text, 'body');
}

/**
 * qs silently drops any `__proto__` segment; Stripe would call it what it is, an unknown
 * parameter (named up to that segment: `address[__proto__]`).
 */
function refuseProtoKey(key: string): void {
  const segments = key.split(/\]?\[|\]$/).filter((x, i) => i === 0 || x !== '');
  const at = segments.indexOf('__proto__');
  if (at < 0) return;
  const param = segments.slice(0, at + 1).reduce((p, seg, i) => (i === 0 ? seg : `${p}[${seg}]`), '');
  throw invalid(`Received unknown parameter: ${param}`, 'parameter_unknown', param);
}

/** Copies null-prototype objects into plain ones; `__proto__` keys become own properties. */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, {
      value: toPlain(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
