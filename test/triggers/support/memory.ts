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

type Row = Delivery & {
  state: 'pending' | 'acked' | 'dead';
  claimed: boolean;
  notBefore: number;
  error?: string;
};

/**
 * Claim semantics as the store has them: ordered claims the run of due rows at the head (none if
 * the head is claimed or waits), a claimed row is skipped.
 */
export class MemoryQueue implements DeliveryQueue {
  readonly rows: Row[] = [];
  readonly disabled = new Map<string, string>();
  clock: () => number = Date.now;
  private seq = 0;

  add(trigger: string, event: InboxEvent): void {
    const seq = ++this.seq;
    this.rows.push({
      id: deliveryId(trigger, event.id),
      handle: seq,
      trigger,
      seq,
      event,
      attempts: 0,
      notBefore: 0,
      state: 'pending',
      claimed: false,
    });
  }
  async claim(trigger: string, limit: number, opts: { ordered: boolean }): Promise<Delivery[]> {
    const open = this.rows.filter((r) => r.trigger === trigger && r.state === 'pending');
    const now = this.clock();
    const due = open.filter((r) => !r.claimed && r.notBefore <= now);
    const end = open.findIndex((r, i) => i >= limit || r.claimed || r.notBefore > now);
    const chosen = opts.ordered ? open.slice(0, end < 0 ? open.length : end) : due.slice(0, limit);
    for (const r of chosen) r.claimed = true;
    return chosen.map((r) => ({ ...r }));
  }
  private row(d: Delivery): Row {
    const row = this.rows.find((r) => r.id === d.id);
    if (!row) throw new Error(`no delivery ${d.id}`);
    return row;
  }
  async ack(d: Delivery): Promise<boolean> {
    Object.assign(this.row(d), { state: 'acked', claimed: false });
    return true;
  }
  async retry(
    d: Delivery,
    u: { attempts: number; firstAttemptAt: number; notBefore: number; error: string },
  ): Promise<void> {
    Object.assign(this.row(d), u, { claimed: false });
  }
  async dead(d: Delivery, u: { attempts: number; error: string }): Promise<void> {
    Object.assign(this.row(d), u, { state: 'dead', claimed: false });
  }
  async release(ds: Delivery[]): Promise<void> {
    for (const d of ds) this.row(d).claimed = false;
  }
  async disable(trigger: string, reason: string): Promise<void> {
    this.disabled.set(trigger, reason);
  }
  count(state: Row['state']): number {
    return this.rows.filter((r) => r.state === state).length;
  }
}
