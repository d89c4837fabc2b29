/**
 * The HTTP(S) callback sink, signed per the Standard Webhooks spec with the `standardwebhooks`
 * package: `webhook-id` (the stable delivery id), `webhook-timestamp`, `webhook-signature:
 * v1,<base64 HMAC-SHA256>` keyed by the sink's `whsec_` secret. 15 s per attempt.
 */
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { parseRetryAfter } from '../backoff.ts';
import type { SendOptions, Sink, SinkMessage, SinkOutcome } from './types.ts';

export const HTTP_SINK_TIMEOUT_MS = 15_000;

export interface HttpSinkOptions {
  url: string;
  /** The resolved `whsec_…` secret (never logged). */
  secret: string;
  timeoutMs?: number;
}

export function httpSink(opts: HttpSinkOptions): Sink {
  const signer = new Webhook(opts.secret);
  const target = new URL(opts.url);
  const secure = target.protocol === 'https:';
  // Connections kept open between deliveries (one per delivery in flight), closed with the sink.
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  return {
    async send(message: SinkMessage, { signal }: SendOptions = {}): Promise<SinkOutcome> {
      const body = JSON.stringify(message);
      const at = new Date();
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? HTTP_SINK_TIMEOUT_MS);
      const headers = {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'webhook-id': message.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign(message.id, at, body),
      };
      let res: { status: number; retryAfter: string | null };
      try {
        const aborted = signal ? AbortSignal.any([signal, timeout]) : timeout;
        const options = { headers, agent, signal: aborted };
        // A kept-open connection the receiver closed just as we reused it: once more, on a new one
        // (the receiver dedups by webhook-id should the first have arrived after all).
        res = await post(secure, target, options, body).catch((error: Error & { reused?: boolean }) => {
          if (!error.reused || timeout.aborted || signal?.aborted) throw error;
          return post(secure, target, options, body);
        });
      } catch (error) {
        const why = timeout.aborted
          ? `no answer within ${opts.timeoutMs ?? HTTP_SINK_TIMEOUT_MS} ms`
          : (error as Error).message;
        return { kind: 'retry', error: `POST ${origin(opts.url)}: ${why}` };
      }
      return classify(res.status, res.retryAfter, origin(opts.url));
    },
    close: async () => agent.destroy(),
  };
}

/**
 * One POST with node:http (a fraction of fetch's cost per call, which counts at thousands of
 * deliveries a second). It never follows a redirect: a signed delivery is not re-sent to wherever
 * a 3xx points, the 3xx is the answer. The body of the answer is read and dropped.
 */
function post(
  secure: boolean,
  url: URL,
  options: RequestOptions,
  body: string,
): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(url, { ...options, method: 'POST' }, (res) => {
      res.on('error', reject);
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter ?? null });
      });
      res.resume();
    });
    req.on('error', (error) => reject(Object.assign(error, { reused: req.reusedSocket })));
    req.end(body);
  });
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

/** `https://user:pw@host/` → Basic authorization, never the URL's userinfo (kept out of errors). */
/** The URL without credentials, path or query, for error messages. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'sink';
  }
}
