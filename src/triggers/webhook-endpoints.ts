/**
 * The Stripe endpoints of webhook triggers at a URL (platform, and `connect: true` for connected
 * accounts) carrying exactly the event types they need. A created endpoint's secret is kept sealed in the
 * store (kv), never printed; the endpoint of a role no trigger needs any more is deleted.
 * `WebhookEndpoints` keeps them in line with the triggers, per URL, and knows their secrets.
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorContext } from '../context.ts';
import { SEAL_KEY_ENV } from '../store/sealer.ts';
import type { Store } from '../store/types.ts';
import type { TriggerDefinition } from './definition.ts';
import { ensureEndpoint } from './endpoint.ts';

export const endpointSecretKey = (endpointId: string) => `endpoint-secret:${endpointId}`;

/** The connection's endpoints for `received` at `url`; answers the secrets that sign their calls. */
export async function ensureEndpoints(
  opts: { store: Store; ctx: ConnectorContext; log: (line: string) => void },
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

/**
 * The endpoints of every webhook URL in use, made again only when the set of triggers (their
 * event types and connect flags) at a URL changed.
 */
export class WebhookEndpoints {
  /** Per URL: the trigger set its endpoints were made for, whose context, and their secrets. */
  private readonly made = new Map<string, { key: string; connection: string; secrets: string[] }>();

  constructor(
    private readonly opts: {
      store: Store;
      context: (connection: string) => Promise<ConnectorContext>;
      /** The URL Stripe calls for a connection's webhook triggers. */
      url: (connection: string) => string | undefined;
      log: (line: string) => void;
    },
  ) {}

  /** The secrets of `url`'s endpoints, or of every URL's. */
  secrets(url?: string): string[] {
    if (url !== undefined) return this.made.get(url)?.secrets ?? [];
    return [...this.made.values()].flatMap((e) => e.secrets);
  }

  /** Brings each URL's endpoints in line with `triggers` (all webhook triggers; none at a URL: deleted). */
  async sync(triggers: TriggerDefinition[]): Promise<void> {
    const byUrl = new Map<string, TriggerDefinition[]>();
    for (const t of triggers) {
      const url = t.source === 'webhook' ? this.opts.url(t.connection) : undefined;
      if (url) byUrl.set(url, [...(byUrl.get(url) ?? []), t]);
    }
    for (const url of new Set([...this.made.keys(), ...byUrl.keys()])) {
      const mine = byUrl.get(url) ?? [];
      const key = JSON.stringify(mine.map((t) => [t.connect, [...(t.events ?? [])].sort()]).sort());
      const known = this.made.get(url);
      if (known?.key === key) continue;
      const connection = mine[0]?.connection ?? (known?.connection as string);
      const ctx = await this.opts.context(connection).catch(() => undefined);
      if (!ctx) continue;
      const secrets = await ensureEndpoints({ ...this.opts, ctx }, mine, url);
      // Without a secret (another node made the endpoint and has not stored it yet) the key is not
      // kept, so the next check reads it again; meanwhile the Events API reconciles.
      if (mine.length) this.made.set(url, { key: secrets.length ? key : '', connection, secrets });
      else this.made.delete(url);
    }
  }
}
