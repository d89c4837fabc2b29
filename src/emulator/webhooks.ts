/**
 * Webhook delivery as Stripe does it: JSON POST with `Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256
 * of "<ts>.<payload>" keyed by the endpoint secret>`, retried with exponential backoff on failure.
 */
import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Ctx } from './engine.ts';
import type { Obj } from './objects.ts';

export function signature(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export const secretKey = (endpointId: string) => `webhook_secret:${endpointId}`;
/** Side flag: the endpoint listens to connected accounts' events (`connect: true` at creation). */
export const connectKey = (endpointId: string) => `webhook_connect:${endpointId}`;

const WEBHOOK_TIMEOUT_MS = 10_000;

export class Webhooks {
  private readonly timers = new Set<NodeJS.Timeout>();
  // Connections kept open between deliveries, as Stripe's senders do; node:http rather than fetch,
  // whose cost per call bounds how many events a second a load test can offer.
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };
  private closed = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: { attempts: number; baseMs: number; log?: (line: string) => void }) {}

  /**
   * Queues the event for every enabled endpoint that wants it; returns how many. As Stripe: an
   * account's own events go to its own (non-Connect) endpoints; a connected account's events
   * (`account` set) also go to the platform's `connect: true` endpoints, and platform events never do.
   */
  deliver = (ctx: Ctx, event: Obj): number => {
    const own = [...ctx.ns.collection('webhook_endpoint').oldestFirst()];
    const candidates: Array<{ endpoint: Obj; secret?: string }> = own
      .filter((e) => !ctx.ns.side.get(connectKey(e.id)))
      .map((endpoint) => ({
        endpoint,
        secret: ctx.ns.side.get(secretKey(endpoint.id)) as string | undefined,
      }));
    if (ctx.account) {
      const platform = ctx.engine.store.namespace(ctx.livemode, ctx.owner);
      for (const endpoint of platform.collection('webhook_endpoint').oldestFirst()) {
        if (platform.side.get(connectKey(endpoint.id)))
          candidates.push({
            endpoint,
            secret: platform.side.get(secretKey(endpoint.id)) as string | undefined,
          });
      }
    }
    let count = 0;
    for (const { endpoint, secret } of candidates) {
      if (endpoint.status !== 'enabled' || !secret) continue;
      const wanted: string[] = endpoint.enabled_events ?? [];
      if (!wanted.includes('*') && !wanted.includes(event.type)) continue;
      count++;
      this.attempt(ctx, event, endpoint.url, secret, 1);
    }
    return count;
  };

  private attempt(ctx: Ctx, event: Obj, url: string, secret: string, n: number): void {
    if (this.closed) return;
    const payload = JSON.stringify(ctx.engine.render(event), null, 2);
    const p = this.post(url, payload, {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': signature(payload, secret),
    })
      .then((status) => {
        if (status < 200 || status >= 300) throw new Error(`status ${status}`);
        event.pending_webhooks = Math.max(0, (event.pending_webhooks ?? 1) - 1);
      })
      .catch((error: Error) => {
        this.opts.log?.(`webhook ${event.id} → ${url} attempt ${n} failed: ${error.message}`);
        if (n >= this.opts.attempts || this.closed) return;
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            this.attempt(ctx, event, url, secret, n + 1);
          },
          this.opts.baseMs * 2 ** (n - 1),
        );
        this.timers.add(timer);
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** One POST; resolves to the answer's status (its body read and dropped). */
  private post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          agent: secure ? this.agents.https : this.agents.http,
          timeout: WEBHOOK_TIMEOUT_MS,
        },
        (res) => {
          res.on('error', reject);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.resume();
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${WEBHOOK_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inflight]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
