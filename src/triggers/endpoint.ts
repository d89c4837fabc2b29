/**
 * The Stripe webhook endpoint of a connection's triggers: exactly one of ours per install and role
 * (platform, or `connect: true` for connected accounts), marked in metadata, with exactly the
 * `enabled_events` the triggers need and the pinned `api_version`. Created, updated or reused;
 * deleted when no trigger needs it. Two processes starting at once send the same deterministic
 * idempotency key, so Stripe creates one endpoint and answers both with it (and its secret); a
 * re-list after creating removes any duplicate that still got through (different event sets at
 * once), keeping the oldest, so every process converges on the same one.
 */
import { createHash } from 'node:crypto';
import { ConnectorError } from '../errors.ts';
import type { Gateway } from '../gateway/types.ts';

export const MARKER = 'stripe_connector';
export const ROLE = 'stripe_connector_role';
/** Stripe allows 16 webhook endpoints per account (and mode). */
export const MAX_ENDPOINTS = 16;

export interface EndpointSpec {
  /** This installation's id: the metadata marker that makes an endpoint ours. */
  installId: string;
  /** The public URL Stripe calls (`--public-url`). */
  url: string;
  /** The event types the triggers need; none: the endpoint is deleted. */
  events: readonly string[];
  connect?: boolean;
  /** The catalog's API version, pinned on the endpoint. */
  apiVersion: string;
}

export interface Endpoint {
  id: string;
  url: string;
  enabled_events: string[];
  api_version: string | null;
  status?: string;
  created: number;
  metadata?: Record<string, string>;
}

export interface EnsureResult {
  action: 'created' | 'updated' | 'reused' | 'deleted' | 'none';
  endpoint?: Endpoint;
  /**
   * The signing secret, known only to whoever created the endpoint (Stripe shows it once): keep
   * it as a secret. Undefined on reuse: read it from where the creator kept it.
   */
  secret?: string;
  /** Ids of duplicates and orphans of ours that were deleted. */
  removed: string[];
}

const roleOf = (spec: Pick<EndpointSpec, 'connect'>) => (spec.connect ? 'connect' : 'platform');
const sameSet = (a: readonly string[], b: readonly string[]) =>
  [...new Set(a)].sort().join() === [...new Set(b)].sort().join();

export async function ensureEndpoint(gateway: Gateway, spec: EndpointSpec): Promise<EnsureResult> {
  const all = await listEndpoints(gateway);
  const { keep, extra } = split(all, spec);
  if (!spec.events.length) {
    const ours = keep ? [keep, ...extra] : extra;
    for (const e of ours) await remove(gateway, e.id);
    return { action: ours.length ? 'deleted' : 'none', removed: ours.map((e) => e.id) };
  }
  if (keep) {
    const removed = await removeAll(gateway, extra);
    const changed = await update(gateway, keep, spec);
    return { action: changed ? 'updated' : 'reused', endpoint: changed ?? keep, removed };
  }
  // Only ours on another api_version (Stripe cannot change it): replaced. At the cap, the old one
  // goes first (reconciliation from the Events API covers the gap); otherwise after.
  const early = all.length >= MAX_ENDPOINTS ? await removeAll(gateway, extra) : [];
  if (all.length - early.length >= MAX_ENDPOINTS) throw capReached(all.length);
  const created = await create(gateway, spec);
  return { ...created, removed: [...early, ...created.removed] };
}

async function create(gateway: Gateway, spec: EndpointSpec): Promise<EnsureResult> {
  const params = {
    url: spec.url,
    enabled_events: [...new Set(spec.events)].sort(),
    api_version: spec.apiVersion,
    ...(spec.connect ? { connect: true } : {}),
    description: `stripe-connector triggers (${roleOf(spec)})`,
    metadata: { [MARKER]: spec.installId, [ROLE]: roleOf(spec) },
  };
  const key = idempotencyKey(spec);
  const post = (idempotencyKey: string) =>
    gateway.request<Endpoint & { secret: string }>({
      method: 'POST',
      path: '/v1/webhook_endpoints',
      params,
      idempotencyKey,
    });
  let made = await post(key);
  let mine = split(await listEndpoints(gateway), spec);
  if (![mine.keep, ...mine.extra].some((e) => e?.id === made.id)) {
    // A replayed answer for an endpoint deleted since (keys live 24 h): create a new one.
    made = await post(`${key}-${Date.now()}`);
    mine = split(await listEndpoints(gateway), spec);
  }
  const removed = await removeAll(gateway, mine.extra);
  const keep = mine.keep as Endpoint;
  if (keep.id !== made.id) return { action: 'reused', endpoint: keep, removed };
  const { secret, ...endpoint } = made;
  return { action: 'created', endpoint, secret, removed };
}

/** Brings url, events and the enabled status in line; the updated endpoint, or undefined if it was. */
async function update(gateway: Gateway, e: Endpoint, spec: EndpointSpec): Promise<Endpoint | undefined> {
  const params: Record<string, unknown> = {};
  if (e.url !== spec.url) params.url = spec.url;
  if (!sameSet(e.enabled_events, spec.events)) params.enabled_events = [...new Set(spec.events)].sort();
  if (e.status === 'disabled') params.disabled = false;
  if (!Object.keys(params).length) return undefined;
  return gateway.request<Endpoint>({ method: 'POST', path: `/v1/webhook_endpoints/${e.id}`, params });
}

async function remove(gateway: Gateway, id: string): Promise<string> {
  try {
    await gateway.request({ method: 'DELETE', path: `/v1/webhook_endpoints/${id}` });
  } catch (error) {
    // Another process removed it first: the outcome we wanted.
    if (!(error instanceof ConnectorError && error.code === 'STRIPE_NOT_FOUND')) throw error;
  }
  return id;
}

/**
 * Ours for this install and role: the keeper is the oldest on the pinned api_version (the one
 * every process agrees on); the rest are duplicates or orphans.
 */
function split(all: Endpoint[], spec: EndpointSpec): { keep?: Endpoint; extra: Endpoint[] } {
  // Stripe lists newest first: within one second, the later in the list is the older.
  const ours = all
    .map((e, position) => ({ e, position }))
    .filter(
      ({ e }) =>
        e.metadata?.[MARKER] === spec.installId && (e.metadata?.[ROLE] ?? 'platform') === roleOf(spec),
    )
    .sort((a, b) => a.e.created - b.e.created || b.position - a.position)
    .map(({ e }) => e);
  const keep = ours.find((e) => e.api_version === spec.apiVersion);
  return { keep, extra: ours.filter((e) => e !== keep) };
}

async function removeAll(gateway: Gateway, endpoints: Endpoint[]): Promise<string[]> {
  for (const e of endpoints) await remove(gateway, e.id);
  return endpoints.map((e) => e.id);
}

export async function listEndpoints(gateway: Gateway): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await gateway.request<{ data: Endpoint[]; has_more: boolean }>({
      method: 'GET',
      path: '/v1/webhook_endpoints',
      params: { limit: 100, ...(cursor ? { starting_after: cursor } : {}) },
    });
    out.push(...page.data);
    if (!page.has_more || !page.data.length) return out;
    cursor = page.data.at(-1)?.id;
  }
}

/** The same for every process that wants the same endpoint, so concurrent creates are one. */
export function idempotencyKey(spec: EndpointSpec): string {
  const facts = [
    spec.installId,
    roleOf(spec),
    spec.url,
    spec.apiVersion,
    ...[...new Set(spec.events)].sort(),
  ];
  return `stripe-connector-endpoint-${createHash('sha256').update(facts.join('\n')).digest('hex').slice(0, 32)}`;
}

function capReached(count: number): ConnectorError {
  return new ConnectorError(
    'STRIPE_INVALID_REQUEST',
    `the account already has ${count} webhook endpoints, Stripe's maximum is ${MAX_ENDPOINTS}: delete one you no longer use (Dashboard → Developers → Webhooks), or run the triggers without --public-url so they poll the Events API instead`,
    { endpoints: count, max: MAX_ENDPOINTS },
  );
}
