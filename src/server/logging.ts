/**
 * The server's structured log (pino). Every line passes the connection logger's redactor (Stripe
 * keys, credential headers, client secrets, card numbers) and our own token pattern just before it
 * is written, and the Authorization header is censored by path as well: a token or key must not
 * reach the log at any level, whoever logs what.
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

export function createServerLogger(options: LogOptions = {}): { logger: Logger; redactor: Redactor } {
  const redactor = options.redactor ?? createRedactor();
  const scrub = (text: string) => redactor(text).replace(TOKEN_PATTERN, REDACTED);
  const logger = pino(
    {
      level: options.level ?? 'info',
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token'],
        censor: REDACTED,
      },
      hooks: { streamWrite: scrub },
      // ISO time: an epoch in milliseconds is 13 digits, which the card-number rule may take for one.
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.stream ?? pino.destination(1),
  );
  return { logger, redactor };
}
