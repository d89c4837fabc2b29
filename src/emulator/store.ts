/**
 * In-memory state. One namespace per (mode, account); in it one Collection per resource. A
 * collection is an array kept in Stripe's list order (oldest to newest by `created`, ties by
 * insertion) plus an id → position map, so lookups and cursor pagination (`starting_after`) cost
 * O(1) to find the cursor, whatever the size. Objects arrive almost always in order (appends);
 * the rare older one (a bulk load of back-dated objects) is merged in and the positions after it
 * renumbered.
 */
import type { Obj } from './objects.ts';

/** Sort key: objects without a `created` (sub-resources) keep insertion order. */
function createdOf(o: Obj): number {
  const c = o.created;
  return typeof c === 'number' ? c : -Infinity;
}

export class Collection {
  private items: Array<Obj | undefined> = [];
  private index = new Map<string, number>();
  private holes = 0;

  get size(): number {
    return this.index.size;
  }

  get(id: string): Obj | undefined {
    const pos = this.index.get(id);
    return pos === undefined ? undefined : this.items[pos];
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  insert(obj: Obj): void {
    const existing = this.index.get(obj.id);
    if (existing !== undefined) {
      if (createdOf(this.items[existing] as Obj) === createdOf(obj)) {
        this.items[existing] = obj;
        return;
      }
      this.delete(obj.id);
    }
    if (createdOf(obj) >= this.lastCreated()) {
      this.index.set(obj.id, this.items.length);
      this.items.push(obj);
      return;
    }
    this.merge([obj]);
  }

  /** Many objects at once (bulk load, restore): appended when in order, else merged in one pass. */
  insertMany(objs: Obj[]): void {
    let last = this.lastCreated();
    let inOrder = true;
    for (const o of objs) {
      const c = createdOf(o);
      if (c < last || this.index.has(o.id)) {
        inOrder = false;
        break;
      }
      last = c;
    }
    if (inOrder) {
      for (const o of objs) {
        if (this.index.has(o.id))
          this.insert(o); // the same id twice in the batch
        else {
          this.index.set(o.id, this.items.length);
          this.items.push(o);
        }
      }
      return;
    }
    const fresh: Obj[] = [];
    const seen = new Map<string, number>();
    for (const o of objs) {
      // A repeated id replaces the earlier object, in the batch or in the collection.
      if (this.index.has(o.id)) this.delete(o.id);
      const at = seen.get(o.id);
      if (at !== undefined) fresh[at] = o;
      else {
        seen.set(o.id, fresh.length);
        fresh.push(o);
      }
    }
    this.merge(fresh);
  }

  private lastCreated(): number {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const item = this.items[i];
      if (item) return createdOf(item);
    }
    return -Infinity;
  }

  /** Merges new objects (any order) into the sorted items; positions from the first change on are renumbered. */
  private merge(objs: Obj[]): void {
    if (this.holes) this.compact();
    // Stable: equal `created` keep their arrival order, after the ones already stored.
    const incoming = objs.slice().sort((a, b) => createdOf(a) - createdOf(b));
    const items = this.items as Obj[];
    const first = upperBound(items, createdOf(incoming[0]));
    const tail = items.splice(first);
    let i = 0;
    let j = 0;
    while (i < tail.length || j < incoming.length) {
      if (j >= incoming.length || (i < tail.length && createdOf(tail[i]) <= createdOf(incoming[j])))
        items.push(tail[i++]);
      else items.push(incoming[j++]);
    }
    for (let p = first; p < items.length; p++) this.index.set(items[p].id, p);
  }

  delete(id: string): boolean {
    const pos = this.index.get(id);
    if (pos === undefined) return false;
    this.items[pos] = undefined;
    this.index.delete(id);
    this.holes++;
    if (this.holes > 1024 && this.holes * 2 > this.items.length) this.compact();
    return true;
  }

  /** Newest first, as Stripe lists. */
  *newestFirst(fromPos = this.items.length - 1): Generator<Obj> {
    for (let i = fromPos; i >= 0; i--) {
      const item = this.items[i];
      if (item) yield item;
    }
  }

  *oldestFirst(): Generator<Obj> {
    for (const item of this.items) if (item) yield item;
  }

  /**
   * One page, newest first. `startingAfter` walks older, `endingBefore` walks newer; the cursor's
   * position comes from the index, so deep pages are as cheap as the first.
   */
  page(
    limit: number,
    cursor: { startingAfter?: string; endingBefore?: string },
    match: (o: Obj) => boolean,
  ): { data: Obj[]; hasMore: boolean } | { missingCursor: string } {
    const data: Obj[] = [];
    if (cursor.endingBefore !== undefined) {
      const pos = this.index.get(cursor.endingBefore);
      if (pos === undefined) return { missingCursor: cursor.endingBefore };
      for (let i = pos + 1; i < this.items.length; i++) {
        const item = this.items[i];
        if (item && match(item)) {
          data.push(item);
          if (data.length > limit) break;
        }
      }
      const hasMore = data.length > limit;
      return { data: data.slice(0, limit).reverse(), hasMore };
    }
    let start = this.items.length - 1;
    if (cursor.startingAfter !== undefined) {
      const pos = this.index.get(cursor.startingAfter);
      if (pos === undefined) return { missingCursor: cursor.startingAfter };
      start = pos - 1;
    }
    for (let i = start; i >= 0; i--) {
      const item = this.items[i];
      if (item && match(item)) {
        data.push(item);
        if (data.length > limit) break;
      }
    }
    const hasMore = data.length > limit;
    return { data: data.slice(0, limit), hasMore };
  }

  all(): Obj[] {
    return [...this.oldestFirst()];
  }

  private compact(): void {
    const items: Obj[] = [];
    this.index = new Map();
    for (const item of this.items) {
      if (!item) continue;
      this.index.set(item.id, items.length);
      items.push(item);
    }
    this.items = items;
    this.holes = 0;
  }
}

/** First position whose `created` is greater than `created` (items hold no holes). */
function upperBound(items: Obj[], created: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (createdOf(items[mid]) <= created) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Namespace {
  readonly collections = new Map<string, Collection>();
  /** Side state that is not part of any object's wire shape (secrets, detached flags, quote lines). */
  readonly side = new Map<string, unknown>();
  /** Deleted ids of resources Stripe still answers for (`{deleted: true}` on retrieve). */
  readonly tombstones = new Map<string, string>();
  private counters = new Map<string, number>();

  constructor(
    readonly livemode: boolean,
    readonly account: string | undefined,
  ) {}

  collection(resourceId: string): Collection {
    let c = this.collections.get(resourceId);
    if (!c) {
      c = new Collection();
      this.collections.set(resourceId, c);
    }
    return c;
  }

  next(counter: string): number {
    const n = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, n);
    return n;
  }

  toJSON(): Record<string, unknown> {
    const collections: Record<string, Obj[]> = {};
    for (const [id, c] of this.collections) collections[id] = c.all();
    return {
      livemode: this.livemode,
      account: this.account,
      collections,
      side: [...this.side],
      tombstones: [...this.tombstones],
      counters: [...this.counters],
    };
  }

  static fromJSON(data: any): Namespace {
    const ns = new Namespace(Boolean(data.livemode), data.account ?? undefined);
    for (const [id, objs] of Object.entries(data.collections ?? {}) as Array<[string, Obj[]]>) {
      ns.collection(id).insertMany(objs);
    }
    for (const [k, v] of data.side ?? []) ns.side.set(k, v);
    for (const [k, v] of data.tombstones ?? []) ns.tombstones.set(k, v);
    for (const [k, v] of data.counters ?? []) ns.counters.set(k, v);
    return ns;
  }
}

export class Store {
  readonly namespaces = new Map<string, Namespace>();

  namespace(livemode: boolean, account?: string): Namespace {
    const key = `${livemode ? 'live' : 'test'}:${account ?? ''}`;
    let ns = this.namespaces.get(key);
    if (!ns) {
      ns = new Namespace(livemode, account);
      this.namespaces.set(key, ns);
    }
    return ns;
  }

  toJSON(): unknown {
    return { version: 1, namespaces: [...this.namespaces.values()].map((n) => n.toJSON()) };
  }

  static fromJSON(data: any): Store {
    const store = new Store();
    for (const n of data?.namespaces ?? []) {
      const ns = Namespace.fromJSON(n);
      store.namespaces.set(`${ns.livemode ? 'live' : 'test'}:${ns.account ?? ''}`, ns);
    }
    return store;
  }
}
