/**
 * The trigger service: everything a user does with triggers, on the store — add, list, show,
 * remove, status, deliveries, dead letters, redeliver, replay. The CLI and the HTTP server call
 * these and print or serve the answers; the runner (runner.ts) runs what they define.
 */
import type { StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import type { Job, Store } from '../store/types.ts';
import { parseTrigger, type TriggerDefinition, type TriggerInput } from './definition.ts';
import { checkClientTrigger, type ClientLimits } from './client-rules.ts';
import { deliveryId } from './delivery-id.ts';
import { checkEventTypes } from './event-types.ts';
import type { InboxEvent } from './ports.ts';
import { fromPreset } from './presets.ts';
import { sinkSecret } from './sinks/secret.ts';
import { disabledKey, failingKey, POLL_SOURCE } from './store/ports.ts';

export interface TriggerRecord {
  name: string;
  definition: TriggerInput;
  createdAt: string;
  updatedAt: string;
  /** Its sink answered 410: nothing is delivered until it is added again. */
  disabled?: { reason: string; at: string };
  /** A runner cannot deliver it now (its sink cannot be made, its connection is missing, …): it retries. */
  failing?: { reason: string; at: string };
}

/** What a runner does with a trigger: delivers it, tries to but cannot (failing), or not (disabled). */
export type TriggerState = 'active' | 'failing' | 'disabled';

export interface DeliveryView {
  /** The stable delivery id (`webhook-id` of the http sink, `id` of every sink's message). */
  id: string;
  /** Position in the trigger's queue. */
  seq: number;
  /** Null only for a malformed stored event (which the dispatcher dead-letters). */
  eventId: string | null;
  type: string | null;
  eventCreated: string | null;
  status: 'pending' | 'running' | 'delivered' | 'dead' | 'discarded';
  attempts: number;
  lastError: string | null;
  queuedAt: string;
  finishedAt: string | null;
}

/** Which deliveries a list shows: a page before or after a cursor (a seq, or a delivery id). */
export interface DeliveryPage {
  status?: DeliveryView['status'];
  /** At most this many (default 100). */
  limit?: number;
  /** Only older ones than this delivery (the next page of a newest-first list). */
  before?: number | string;
  /** Only newer ones than this delivery. */
  after?: number | string;
  /** `desc` (default): newest first; `asc`: oldest first. */
  order?: 'asc' | 'desc';
}

export interface TriggerStatus {
  name: string;
  /** The connection whose events it watches (what a token must be allowed to see it). */
  connection: string;
  source: string;
  state: TriggerState;
  disabled?: { reason: string; at: string };
  failing?: { reason: string; at: string };
  /** The poller's position: the newest event time it has stored, and when it last wrote it. */
  checkpoint: { eventsUpTo: string | null; updatedAt: string | null };
  /** Seconds the oldest undelivered event has waited (0: nothing waiting). */
  lag: number;
  pending: number;
  delivered: number;
  /** Pending deliveries whose last attempt failed (waiting for their retry). */
  failed: number;
  dead: number;
}

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();
const STATUS: Record<string, DeliveryView['status']> = {
  queued: 'pending',
  running: 'running',
  succeeded: 'delivered',
  dead: 'dead',
  discarded: 'discarded',
};

/** An event's `created` (epoch s) as ISO; null when a malformed row has none that makes a time. */
function isoSeconds(created: unknown): string | null {
  const at = typeof created === 'number' ? new Date(created * 1000) : undefined;
  return at && Number.isFinite(at.getTime()) ? at.toISOString() : null;
}

/** A delivery as users see it; a malformed row (stored before the sources refused such events) too. */
export function deliveryView(job: Job<InboxEvent>): DeliveryView {
  const event: Partial<InboxEvent> = job.payload ?? {};
  return {
    id: deliveryId(job.group, String(event.id)),
    seq: job.id,
    eventId: typeof event.id === 'string' ? event.id : null,
    type: typeof event.type === 'string' ? event.type : null,
    eventCreated: isoSeconds(event.created),
    status: STATUS[job.status],
    attempts: job.attempts,
    lastError: job.lastError,
    queuedAt: iso(job.createdAt) as string,
    finishedAt: iso(job.finishedAt),
  };
}

/** A definition from a preset and/or keys, validated (event types against the catalog too). */
export function defineTrigger(input: Partial<TriggerInput> & { preset?: string }, catalog?: StripeCatalog) {
  const raw = input.preset ? fromPreset(input.preset, input) : input;
  const definition = parseTrigger(raw);
  if (catalog && definition.events) checkEventTypes(catalog, definition.events);
  return { raw: raw as TriggerInput, definition };
}

export class TriggerService {
  constructor(
    private readonly store: Store,
    private readonly catalog?: StripeCatalog,
    /** Where an http sink's `env:` secret is looked up to be checked at add. */
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /**
   * Adds or replaces a trigger (re-adding one a sink disabled enables it again). `client`: made by
   * a client of the API, within what the operator allows (client-rules.ts). An http sink's secret
   * that can be read here must be a signing key; one that cannot (set only where the runner runs)
   * is checked by the runner, which reports the trigger failing if it is bad.
   */
  async add(
    input: Partial<TriggerInput> & { preset?: string },
    opts: { client?: ClientLimits } = {},
  ): Promise<TriggerRecord> {
    const { raw, definition } = defineTrigger(input, this.catalog);
    if (opts.client) await checkClientTrigger(this.store, definition, opts.client);
    try {
      sinkSecret(definition.sinkSpec, definition.sinkSecret, definition.name, {
        env: this.env,
        baseDir: process.cwd(),
      });
    } catch (error) {
      if ((error as ConnectorError).code !== 'SECRET_UNRESOLVED') throw error;
    }
    await this.store.transaction(async (tx) => {
      await tx.triggers.put(raw.name, raw);
      await tx.kv.remove(disabledKey(raw.name));
      await tx.kv.remove(failingKey(raw.name));
    });
    return this.show(raw.name);
  }

  async list(): Promise<TriggerRecord[]> {
    const rows = await this.store.triggers.list<TriggerInput>();
    return Promise.all(rows.map((r) => this.record(r.name, r)));
  }

  async show(name: string): Promise<TriggerRecord> {
    const row = await this.store.triggers.get<TriggerInput>(name);
    if (!row) throw await this.unknown(name);
    return this.record(name, row);
  }

  /** The parsed definitions of every trigger (what the runner runs). */
  async definitions(names?: string[]): Promise<TriggerDefinition[]> {
    const all = await this.store.triggers.list<TriggerInput>();
    for (const n of names ?? []) if (!all.some((r) => r.name === n)) throw await this.unknown(n);
    return all.filter((r) => !names?.length || names.includes(r.name)).map((r) => parseTrigger(r.definition));
  }

  /** Removes the definition and its checkpoint; its delivery history stays for inspection. */
  async remove(name: string): Promise<{ removed: boolean }> {
    await this.show(name);
    await this.store.transaction(async (tx) => {
      await tx.triggers.remove(name);
      await tx.checkpoints.remove(name);
      await tx.kv.remove(disabledKey(name));
      await tx.kv.remove(failingKey(name));
    });
    return { removed: true };
  }

  async status(name?: string): Promise<TriggerStatus[]> {
    const records = name ? [await this.show(name)] : await this.list();
    return Promise.all(records.map((r) => this.statusOf(r)));
  }

  /** A page of the trigger's deliveries, newest first unless `order: 'asc'`. */
  async deliveries(name: string, page: DeliveryPage = {}): Promise<DeliveryView[]> {
    await this.show(name);
    const status =
      page.status && (Object.keys(STATUS).find((k) => STATUS[k] === page.status) as Job['status']);
    const [afterId, beforeId] = await Promise.all([
      this.seqOf(name, page.after),
      this.seqOf(name, page.before),
    ]);
    const jobs = await this.store.deliveries.list<InboxEvent>(name, {
      ...(status ? { status } : {}),
      limit: page.limit ?? 100,
      afterId,
      beforeId,
      order: page.order ?? 'desc',
    });
    return jobs.map(deliveryView);
  }

  /** A page of the trigger's dead letters, newest first unless `order: 'asc'`. */
  async deadLetters(name: string, page: Omit<DeliveryPage, 'status'> = {}): Promise<DeliveryView[]> {
    return this.deliveries(name, { ...page, status: 'dead' });
  }

  /** Queues a dead letter (or a delivered one) again under the same delivery id. */
  async redeliver(name: string, id: string): Promise<DeliveryView> {
    const job = await this.find(name, id);
    if (!(await this.store.deliveries.redeliver(job.id)))
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `delivery ${id} is ${STATUS[job.status]}: only a dead or delivered one can be redelivered`,
        { field: '<delivery>' },
      );
    return deliveryView((await this.store.deliveries.get<InboxEvent>(job.id)) as Job<InboxEvent>);
  }

  /** Delivers again every finished delivery whose event was created in [from, to) (epoch s). */
  async replay(
    name: string,
    window: { from: number; to: number },
  ): Promise<{ replayed: number; ids: string[] }> {
    await this.show(name);
    const ids: string[] = [];
    for (let after: number | undefined; ;) {
      const page = await this.store.deliveries.list<InboxEvent>(name, {
        status: ['succeeded', 'dead'],
        afterId: after,
        limit: 500,
      });
      for (const job of page) {
        const created = job.payload?.created;
        if (created >= window.from && created < window.to && (await this.store.deliveries.redeliver(job.id)))
          ids.push(deliveryView(job).id);
      }
      if (page.length < 500) return { replayed: ids.length, ids };
      after = page.at(-1)?.id;
    }
  }

  /** A page cursor's position: a seq as it is, a delivery id looked up. */
  private async seqOf(name: string, cursor: number | string | undefined): Promise<number | undefined> {
    if (cursor === undefined) return undefined;
    if (typeof cursor === 'number' || /^\d+$/.test(cursor)) return Number(cursor);
    return (await this.find(name, cursor)).id;
  }

  private async find(name: string, id: string): Promise<Job<InboxEvent>> {
    await this.show(name);
    for (let after: number | undefined; ;) {
      const page = await this.store.deliveries.list<InboxEvent>(name, { afterId: after, limit: 1000 });
      const job = page.find((j) => String(j.id) === id || deliveryView(j).id === id);
      if (job) return job;
      if (page.length < 1000)
        throw new ConnectorError(
          'INVALID_ARGUMENT',
          `trigger ${name} has no delivery ${id} (see trigger deliveries ${name})`,
          { field: '<delivery>' },
        );
      after = page.at(-1)?.id;
    }
  }

  private async statusOf(r: TriggerRecord): Promise<TriggerStatus> {
    const [counts, cp, waiting] = await Promise.all([
      this.store.deliveries.counts(r.name),
      this.store.checkpoints.get(r.name, POLL_SOURCE),
      this.store.deliveries.list<InboxEvent>(r.name, { status: ['queued', 'running'], limit: 10_000 }),
    ]);
    // The oldest waiting event's time, or when it was queued if it has none.
    const head = waiting[0];
    const oldest =
      head && (Number.isFinite(head.payload?.created) ? head.payload.created : head.createdAt / 1000);
    return {
      name: r.name,
      connection: r.definition.connection ?? 'default',
      source: r.definition.source,
      state: r.disabled ? 'disabled' : r.failing ? 'failing' : 'active',
      ...(r.disabled ? { disabled: r.disabled } : {}),
      ...(r.failing ? { failing: r.failing } : {}),
      checkpoint: {
        eventsUpTo: cp?.cursor ? new Date(Number(cp.cursor) * 1000).toISOString() : null,
        updatedAt: iso(cp?.updatedAt),
      },
      lag: oldest === undefined ? 0 : Math.max(0, Math.round(this.store.now() / 1000 - oldest)),
      pending: counts.queued + counts.running,
      delivered: counts.succeeded,
      failed: waiting.filter((j) => j.lastError !== null).length,
      dead: counts.dead,
    };
  }

  private async record(
    name: string,
    row: { definition: TriggerInput; createdAt: number; updatedAt: number },
  ) {
    const [disabled, failing] = await Promise.all(
      [disabledKey(name), failingKey(name)].map((key) =>
        this.store.kv.get<{ reason: string; at: number }>(key),
      ),
    );
    const since = (s: { reason: string; at: number }) => ({ reason: s.reason, at: iso(s.at) as string });
    return {
      name,
      definition: row.definition,
      createdAt: iso(row.createdAt) as string,
      updatedAt: iso(row.updatedAt) as string,
      ...(disabled ? { disabled: since(disabled) } : {}),
      ...(failing ? { failing: since(failing) } : {}),
    };
  }

  private async unknown(name: string): Promise<ConnectorError> {
    const names = (await this.store.triggers.list()).map((r) => r.name);
    return new ConnectorError(
      'INVALID_ARGUMENT',
      `no trigger named "${name}"${names.length ? ` (there are: ${names.join(', ')})` : ' (none defined yet: trigger add)'}`,
      { field: '<name>' },
    );
  }
}
