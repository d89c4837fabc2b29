/**
 * The webhook listener (`trigger run --listen 127.0.0.1:PORT`): verifies each call, puts the event
 * into the inbox of every trigger it is for, and only then answers 2xx, so an acknowledged event is
 * durable; it never waits for a sink. Stripe retries anything else, so a failed put answers 500.
 * Stripe's own retry of an event already stored (signed anew, with a new timestamp) is
 * acknowledged and stored once. A REPLAY — the very same signed request again (same event id, same
 * `Stripe-Signature` timestamp and signature) — is refused with 400: Stripe never sends one, an
 * eavesdropper would, and the signature's 300 s tolerance alone would let it through.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Inbox, InboxEvent } from '../ports.ts';
import { fromStripeEvent } from './inbox-event.ts';
import { verifyWebhook, WebhookSignatureError } from './webhook.ts';

export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface ListenerOptions {
  host?: string;
  port?: number;
  /** Endpoint secrets (read on every call, so a rolled secret applies without a restart). */
  secrets: () => readonly string[];
  inbox: Inbox;
  /** The triggers an event goes to. */
  route: (event: ReturnType<typeof fromStripeEvent>) => string[];
  /**
   * Records a signed request's identity (event id, signature timestamp and signatures); false if it
   * was seen before (a replay). Without it, replays are only deduplicated, not refused.
   */
  firstSight?: (key: string) => Promise<boolean>;
  /**
   * The replay check and every trigger's put as one atomic write (the store's `receive`): one
   * transaction per call instead of one each. Without it, `firstSight` then `inbox.put` per trigger.
   */
  receive?: Receive;
  /** Told after new events were stored for a trigger (to wake its dispatcher); never awaited. */
  onStored?: (trigger: string, ids: string[]) => void;
  log?: (line: string) => void;
}

/** Records the signed request `key` and puts the event for each trigger; `replay` if `key` was seen. */
export type Receive = (
  key: string,
  triggers: string[],
  event: InboxEvent,
) => Promise<{ replay: true } | { replay: false; inserted: Record<string, string[]> }>;

export interface WebhookListener {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listenWebhooks(opts: ListenerOptions): Promise<WebhookListener> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((error: Error) => {
      opts.log?.(`webhook: storing failed: ${error.message}`);
      answer(res, 500, { error: 'the event could not be stored; retry' });
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ListenerOptions): Promise<void> {
  if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
  const body = await readBody(req);
  if (!body) return answer(res, 413, { error: `body over ${MAX_WEBHOOK_BYTES} bytes` });
  let event;
  try {
    event = fromStripeEvent(verifyWebhook(body, req.headers, opts.secrets()), 'webhook');
  } catch (error) {
    if (!(error instanceof WebhookSignatureError)) throw error;
    opts.log?.(`webhook: ${error.message}`);
    return answer(res, 400, error.toJSON());
  }
  const key = signatureKey(event.id, req.headers['stripe-signature']);
  const result = await (opts.receive ?? receiveBy(opts))(key, opts.route(event), event);
  if (result.replay) {
    opts.log?.(`webhook: refused a replay of ${event.id}`);
    const refused = new WebhookSignatureError('replay', 'this exact signed request was already received');
    return answer(res, 400, refused.toJSON());
  }
  let stored = 0;
  for (const [trigger, inserted] of Object.entries(result.inserted)) {
    stored += inserted.length;
    if (inserted.length) opts.onStored?.(trigger, inserted);
  }
  answer(res, 200, { received: true, id: event.id, stored });
}

/** `receive` from the separate ports: the replay check, then each trigger's put. */
function receiveBy(opts: ListenerOptions): Receive {
  return async (key, triggers, event) => {
    if (opts.firstSight && !(await opts.firstSight(key))) return { replay: true };
    const inserted: Record<string, string[]> = {};
    for (const trigger of triggers) inserted[trigger] = (await opts.inbox.put(trigger, [event])).inserted;
    return { replay: false, inserted };
  };
}

/** The identity of one signed request: Stripe signs every attempt anew (a new `t`), a replay does not. */
export function signatureKey(eventId: string, header: string | string[] | undefined): string {
  const parts = String(header ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith('t=') || p.startsWith('v1='))
    .sort();
  return `${eventId}|${parts.join(',')}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_WEBHOOK_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
