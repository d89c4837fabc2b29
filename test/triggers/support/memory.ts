/** In-memory versions of the trigger ports, for tests only (the store implements the real ones). */
import type { Checkpoints, Delivery, DeliveryQueue, Inbox, InboxEvent } from '../../../src/triggers/ports.ts';
import { deliveryId } from '../../../src/triggers/delivery-id.ts';

export class MemoryInbox implements Inbox {
  readonly seen = new Map<string, Set<string>>();
  readonly events = new Map<string, InboxEvent[]>();
  /** Every id handed to `put`, duplicates included (to check a source's own dedup). */
  readonly offered: string[] = [];
  constructor(private readonly queue?: MemoryQueue) {}

  async put(trigger: string, events: InboxEvent[]): Promise<{ inserted: string[] }> {
    const seen = this.seen.get(trigger) ?? new Set<string>();
    this.seen.set(trigger, seen);
    const list = this.events.get(trigger) ?? [];
    this.events.set(trigger, list);
    const inserted: string[] = [];
    for (const event of events) {
      this.offered.push(event.id);
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      list.push(event);
      inserted.push(event.id);
      this.queue?.add(trigger, event);
    }
    return { inserted };
  }

  ids(trigger: string): string[] {
    return (this.events.get(trigger) ?? []).map((e) => e.id);
  }
}

export class MemoryCheckpoints implements Checkpoints {
  readonly values = new Map<string, unknown>();
  writes = 0;
  async get<T>(trigger: string): Promise<T | undefined> {
    const v = this.values.get(trigger);
    return v === undefined ? undefined : (structuredClone(v) as T);
  }
  async set<T>(trigger: string, value: T): Promise<void> {
    this.writes++;
    this.values.set(trigger, structuredClone(value));
  }
}

type Row = Delivery & { state: 'pending' | 'acked' | 'dead'; error?: string };

export class MemoryQueue implements DeliveryQueue {
  readonly rows: Row[] = [];
  readonly disabled = new Map<string, string>();
  private seq = 0;

  add(trigger: string, event: InboxEvent): void {
    this.rows.push({
      id: deliveryId(trigger, event.id),
      trigger,
      seq: ++this.seq,
      event,
      attempts: 0,
      notBefore: 0,
      state: 'pending',
    });
  }
  async pending(trigger: string, limit: number, skip: ReadonlySet<string> = new Set()): Promise<Delivery[]> {
    return this.rows
      .filter((r) => r.trigger === trigger && r.state === 'pending' && !skip.has(r.id))
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }
  private row(id: string): Row {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new Error(`no delivery ${id}`);
    return row;
  }
  async ack(id: string): Promise<void> {
    this.row(id).state = 'acked';
  }
  async retry(
    id: string,
    u: { attempts: number; firstAttemptAt: number; notBefore: number; error: string },
  ): Promise<void> {
    Object.assign(this.row(id), u);
  }
  async dead(id: string, u: { attempts: number; error: string }): Promise<void> {
    Object.assign(this.row(id), u, { state: 'dead' });
  }
  async disable(trigger: string, reason: string): Promise<void> {
    this.disabled.set(trigger, reason);
  }
  count(state: Row['state']): number {
    return this.rows.filter((r) => r.state === state).length;
  }
}
