/**
 * The one redaction function every log line and every error message passes through. It removes the
 * connection's own secrets by value (whatever their shape) and anything that looks like a Stripe
 * secret, a credential header, a client secret or a card number, so a secret we were never told
 * about (a webhook secret in a response body, another key echoed by a server) is still caught.
 * In URLs, a credential query parameter (`?token=…`, `&api_key=…`) loses its value whatever it
 * looks like, and characters escaped needlessly (`sk%5Ftest%5F…`) are read as themselves first, so
 * an encoding does not hide a secret from the patterns.
 */

export const REDACTED = '[REDACTED]';

const PATTERNS: Array<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  // Credential headers as JSON fields (values may hold escaped quotes: Digest parameters do)...
  [/("(?:proxy-)?authorization"\s*:\s*")(?:[^"\\]|\\.)*"/gi, `$1${REDACTED}"`],
  // ...and in raw HTTP or `key=value` form.
  [
    /((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:basic|bearer|digest)?\s*[^"'\r\n,}]+/gi,
    `$1${REDACTED}`,
  ],
  // Stripe secret and restricted keys, webhook signing secrets.
  [/\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]+/g, REDACTED],
  [/\bwhsec_[A-Za-z0-9+/=_-]+/g, REDACTED],
  // client_secret values: `pi_123_secret_abc`, `seti_..._secret_...`, and any client_secret field.
  [/\b[a-z]+_[A-Za-z0-9]+_secret_[A-Za-z0-9]+/g, REDACTED],
  [/(client_secret["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi, `$1${REDACTED}`],
  // Credentials embedded in URLs: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/gi, `$1${REDACTED}@`],
  // ...and passed as query parameters, whatever the value looks like.
  [
    /([?&](?:token|access_token|auth_token|api_key|apikey|key|secret|password)=)[^&#\s"'<>]+/gi,
    `$1${REDACTED}`,
  ],
];

/**
 * `%5F` is `_` (RFC 3986: escaped unreserved characters mean the same): read as themselves so that
 * `sk%5Ftest%5F…` meets the same patterns as `sk_test_…`. Other escapes (`%20`, `%26`) stay.
 */
const decodeUnreserved = (text: string) =>
  text.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9._~-]/.test(char) ? char : escape;
  });

/** 13–19 digits, optionally grouped by spaces or dashes; only Luhn-valid runs are card numbers. */
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface Redactor {
  (text: string): string;
  /** Registers more values to remove (e.g. a secret resolved after the logger was made). */
  add(...secrets: Array<string | undefined>): void;
}

export function createRedactor(secrets: Array<string | undefined> = []): Redactor {
  const known = new Set<string>();
  const redactor = ((text: string): string => {
    let out = text.includes('%') ? decodeUnreserved(text) : text;
    // Longest first, so a secret that contains another is removed whole.
    for (const secret of [...known].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(REDACTED);
      // Secrets also travel URL-encoded (proxy URLs, form bodies) and base64-encoded (Basic auth).
      const encoded = encodeURIComponent(secret);
      const formEncoded = encoded.replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
      for (const variant of new Set([encoded, formEncoded])) {
        if (variant !== secret) out = out.split(variant).join(REDACTED);
      }
    }
    for (const [pattern, replacement] of PATTERNS) {
      out = out.replace(pattern, replacement as string);
    }
    out = out.replace(CARD_CANDIDATE, (match) => {
      const digits = match.replace(/[ -]/g, '');
      return luhnValid(digits) ? REDACTED : match;
    });
    return out;
  }) as Redactor;
  redactor.add = (...values) => {
    // Very short values would shred ordinary text; a secret that short is not a secret.
    for (const v of values) if (v && v.length >= 4) known.add(v);
  };
  redactor.add(...secrets);
  return redactor;
}

/** Redacts with the patterns only: for text that belongs to no particular connection. */
export const redact: Redactor = createRedactor();
