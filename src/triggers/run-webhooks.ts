/**
 * The webhook side of a runner: the listener on `--listen`, and with `--public-url` the Stripe
 * endpoints (platform, and `connect: true` for connected accounts) carrying exactly the event
 * types the webhook triggers need. A created endpoint's secret is kept in the store (kv), never
 * printed; the endpoint of a role no trigger needs any more is deleted.
 */
import { randomUUID } from 'node:crypto';
import { SEAL_KEY_ENV } from '../store/sealer.ts';
import type { ConnectorContext } from '../context.ts';
import { listenError, type Service } from '../lifecycle.ts';
import type { Store } from '../store/types.ts';
import type { TriggerDefinition } from './definition.ts';
import { ensureEndpoint } from './endpoint.ts';
import { listenWebhooks, type WebhookListener } from './sources/listener.ts';
import { routeEvent } from './sources/route.ts';
import type { StorePorts } from './store/ports.ts';

export interface WebhookServiceOptions {
  store: Store;
  ctx: ConnectorContext;
  ports: StorePorts;
  triggers: TriggerDefinition[];
  listen?: { host: string; port: number };
  publicUrl?: string;
  wake: (trigger: string) => void;
  log: (line: string) => void;
}

export const endpointSecretKey = (endpointId: string) => `endpoint-secret:${endpointId}`;

export function webhookService(opts: WebhookServiceOptions) {
  const receiving = Boolean(opts.listen && opts.publicUrl);
  const received = opts.triggers.filter((t) => receiving && t.source === 'webhook');
  const secrets: string[] = [];
  let listener: WebhookListener | undefined;
  const service: Service = {
    name: 'webhooks',
    start: async () => {
      if (!opts.listen) return;
      const { host, port } = opts.listen;
      listener = await listenWebhooks({
        host,
        port,
        secrets: () => secrets,
        inbox: opts.ports.inbox,
        route: (e) => routeEvent(e, received),
        receive: opts.ports.receive,
        onStored: (trigger) => opts.wake(trigger),
        log: opts.log,
      }).catch((error) => {
        throw listenError(error, { host, port, flag: '--listen' });
      });
      opts.log(`webhooks: listening on ${listener.url}`);
      if (opts.publicUrl) secrets.push(...(await ensureEndpoints(opts, received, opts.publicUrl)));
    },
    stop: async () => listener?.close(),
  };
  return { service, receives: (t: TriggerDefinition) => received.includes(t), url: () => listener?.url };
}

/** The connection's endpoints for `received` at `url`; answers the secrets that sign their calls. */
export async function ensureEndpoints(
  opts: Pick<WebhookServiceOptions, 'store' | 'ctx' | 'log'>,
  received: TriggerDefinition[],
  url: string,
): Promise<string[]> {
  const { store, ctx } = opts;
  let installId = await store.kv.get<string>('install-id');
  if (!installId) await store.kv.set('install-id', (installId = randomUUID()));
  const found: string[] = [];
  for (const connect of [false, true]) {
    const events = [...new Set(received.filter((t) => t.connect === connect).flatMap((t) => t.events ?? []))];
    const result = await ensureEndpoint(ctx.gateway, {
      installId,
      url,
      events,
      connect,
      apiVersion: ctx.catalog.apiVersion,
    });
    for (const id of result.removed) await store.kv.remove(endpointSecretKey(id));
    if (!result.endpoint) continue;
    if (result.secret) {
      if (!store.sealer)
        opts.log(
          `webhooks: the signing secret of endpoint ${result.endpoint.id} is stored unsealed: set ${SEAL_KEY_ENV} (32 bytes, base64) on every node`,
        );
      await store.kv.set(
        endpointSecretKey(result.endpoint.id),
        store.sealer?.seal(result.secret) ?? result.secret,
      );
    }
    const kept = await store.kv.get<string>(endpointSecretKey(result.endpoint.id));
    const secret = result.secret ?? (kept && (store.sealer ? store.sealer.open(kept) : kept));
    if (secret) found.push(secret);
    else
      opts.log(
        `webhooks: no secret kept for endpoint ${result.endpoint.id} (made by another install?); its calls are refused, the Events API reconciles`,
      );
    opts.log(
      `webhooks: endpoint ${result.endpoint.id} ${result.action} for ${events.length} event types${connect ? ' (connect)' : ''}`,
    );
  }
  return found;
}
