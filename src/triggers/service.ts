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
import { disabledKey, POLL_SOURCE } from './store/ports.ts';

export interface TriggerRecord {
  name: string;
  definition: TriggerInput;
  createdAt: string;
  updatedAt: string;
  disabled?: { reason: string; at: string };
}

export interface DeliveryView {
  /** The stable delivery id (`webhook-id` of the http sink, `id` of every sink's message). */
  id: string;
  /** Position in the trigger's queue. */
  seq: number;
  eventId: string;
  type: string;
  eventCreated: string;
  status: 'pending' | 'running' | 'delivered' | 'dead' | 'discarded';
  attempts: number;
  lastError: string | null;
  queuedAt: string;
  finishedAt: string | null;
}

export interface TriggerStatus {
  name: string;
  /** The connection whose events it watches (what a token must be allowed to see it). */
  connection: string;
  source: string;
  disabled?: { reason: string; at: string };
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

export function deliveryView(job: Job<InboxEvent>): DeliveryView {
  return {
    id: deliveryId(job.group, job.payload.id),
    seq: job.id,
    eventId: job.payload.id,
    type: job.payload.type,
    eventCreated: new Date(job.payload.created * 1000).toISOString(),
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
  ) {}

  /**
   * Adds or replaces a trigger (re-adding one a sink disabled enables it again). `client`: made by
   * a client of the API, within what the operator allows (client-rules.ts).
   */
  async add(
    input: Partial<TriggerInput> & { preset?: string },
    opts: { client?: ClientLimits } = {},
  ): Promise<TriggerRecord> {
    const { raw, definition } = defineTrigger(input, this.catalog);
    if (opts.client) await checkClientTrigger(this.store, definition, opts.client);
    await this.store.transaction(async (tx) => {
      await tx.triggers.put(raw.name, raw);
      await tx.kv.remove(disabledKey(raw.name));
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
    });
    return { removed: true };
  }

  async status(name?: string): Promise<TriggerStatus[]> {
    const records = name ? [await this.show(name)] : await this.list();
    return Promise.all(records.map((r) => this.statusOf(r)));
  }

  async deliveries(
    name: string,
    opts: { status?: DeliveryView['status']; limit?: number; after?: number } = {},
  ) {
    await this.show(name);
    const status =
      opts.status && (Object.keys(STATUS).find((k) => STATUS[k] === opts.status) as Job['status']);
    const jobs = await this.store.deliveries.list<InboxEvent>(name, {
      ...(status ? { status } : {}),
      limit: opts.limit ?? 100,
      afterId: opts.after,
    });
    return jobs.map(deliveryView);
  }

  async deadLetters(name: string, limit = 100): Promise<DeliveryView[]> {
    await this.show(name);
    return (await this.store.deliveries.deadLetters<InboxEvent>(name, limit)).map(deliveryView);
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
        const created = job.payload.created;
        if (created >= window.from && created < window.to && (await this.store.deliveries.redeliver(job.id)))
          ids.push(deliveryView(job).id);
      }
      if (page.length < 500) return { replayed: ids.length, ids };
      after = page.at(-1)?.id;
    }
  }

  private async find(name: string, id: string): Promise<Job<InboxEvent>> {
    await this.show(name);
    for (let after: number | undefined; ;) {
      const page = await this.store.deliveries.list<InboxEvent>(name, { afterId: after, limit: 1000 });
      const job = page.find((j) => String(j.id) === id || deliveryId(name, j.payload.id) === id);
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
    const oldest = waiting[0]?.payload.created;
    return {
      name: r.name,
      connection: r.definition.connection ?? 'default',
      source: r.definition.source,
      ...(r.disabled ? { disabled: r.disabled } : {}),
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
    const disabled = await this.store.kv.get<{ reason: string; at: number }>(disabledKey(name));
    return {
      name,
      definition: row.definition,
      createdAt: iso(row.createdAt) as string,
      updatedAt: iso(row.updatedAt) as string,
      ...(disabled ? { disabled: { reason: disabled.reason, at: iso(disabled.at) as string } } : {}),
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
