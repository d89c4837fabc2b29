/**
 * The HTTP(S) callback sink, signed per the Standard Webhooks spec with the `standardwebhooks`
 * package: `webhook-id` (the stable delivery id), `webhook-timestamp`, `webhook-signature:
 * v1,<base64 HMAC-SHA256>` keyed by the sink's `whsec_` secret. 15 s per attempt.
 */
import { Webhook } from 'standardwebhooks';
import { parseRetryAfter } from '../backoff.ts';
import type { Sink, SinkMessage, SinkOutcome } from './types.ts';

export const HTTP_SINK_TIMEOUT_MS = 15_000;

export interface HttpSinkOptions {
  url: string;
  /** The resolved `whsec_…` secret (never logged). */
  secret: string;
  timeoutMs?: number;
}

export function httpSink(opts: HttpSinkOptions): Sink {
  const signer = new Webhook(opts.secret);
  const { url, authorization } = splitCredentials(opts.url);
  return {
    async send(message: SinkMessage, signal?: AbortSignal): Promise<SinkOutcome> {
      const body = JSON.stringify(message);
      const at = new Date();
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? HTTP_SINK_TIMEOUT_MS);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          body,
          // A signed delivery is not re-sent to wherever a redirect points; 3xx is a refusal.
          redirect: 'manual',
          headers: {
            'content-type': 'application/json',
            ...(authorization ? { authorization } : {}),
            'webhook-id': message.id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signer.sign(message.id, at, body),
          },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        await res.arrayBuffer().catch(() => undefined);
      } catch (error) {
        const why = timeout.aborted
          ? `no answer within ${opts.timeoutMs ?? HTTP_SINK_TIMEOUT_MS} ms`
          : (error as Error).message;
        return { kind: 'retry', error: `POST ${origin(opts.url)}: ${why}` };
      }
      return classify(res.status, res.headers.get('retry-after'), origin(opts.url));
    },
    close: async () => undefined,
  };
}

/** What an HTTP answer means for the delivery. */
export function classify(status: number, retryAfter: string | null, where = 'sink'): SinkOutcome {
  if (status >= 200 && status < 300) return { kind: 'ack' };
  const error = `${where} answered ${status}`;
  if (status === 410) return { kind: 'gone', error };
  if (status === 429 || status >= 500 || status === 408) {
    const retryAfterMs = parseRetryAfter(retryAfter);
    return retryAfterMs === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs };
  }
  return { kind: 'reject', error };
}

/** `https://user:pw@host/` → Basic authorization (fetch refuses credentials in a URL). */
function splitCredentials(raw: string): { url: string; authorization?: string } {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: raw };
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.toString(), authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
}

/** The URL without credentials, path or query, for error messages. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'sink';
  }
}
