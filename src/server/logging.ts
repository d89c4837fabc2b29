/**
 * The server's structured log (pino). Every line passes the connection logger's redactor (Stripe
 * keys, credential headers, client secrets, card numbers, credential query parameters such as a
 * request URL's `?token=`, needless %-escapes read as themselves) and our own token pattern just
 * before it is written, and the Authorization header is censored by path as well: a token or key
 * must not reach the log at any level, whoever logs what, however a client encoded it.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { createRedactor, REDACTED, type Redactor } from '../connection/index.ts';
import { TOKEN_PATTERN } from './tokens.ts';

export interface LogOptions {
  level?: pino.LevelWithSilent;
  /** Where lines go (default stdout); tests capture it. */
  stream?: DestinationStream;
  redactor?: Redactor;
}

/**
 * Redacts a JSON log line value by value: the redactor works on text, and run over the whole line
 * it could take the digits of a number (a timestamp, a duration) for a card number and leave
 * invalid JSON. Strings are redacted as text; an integer as long as a card number is redacted whole.
 */
export function scrubLine(line: string, text: (value: string) => string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return text(line);
  }
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value === 'number')
      return Number.isInteger(value) && Math.abs(value) >= 1e12 && text(String(value)) !== String(value)
        ? REDACTED
        : value;
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), walk(v)]));
    return value;
  };
  return JSON.stringify(walk(parsed)) + '\n';
}

export function createServerLogger(options: LogOptions = {}): { logger: Logger; redactor: Redactor } {
  const redactor = options.redactor ?? createRedactor();
  const text = (value: string) => redactor(value).replace(TOKEN_PATTERN, REDACTED);
  const scrub = (line: string) => scrubLine(line, text);
  const logger = pino(
    {
      level: options.level ?? 'info',
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token'],
        censor: REDACTED,
      },
      hooks: { streamWrite: scrub },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.stream ?? pino.destination(1),
  );
  return { logger, redactor };
}
