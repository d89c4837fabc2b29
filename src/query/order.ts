/** ORDER BY that Stripe cannot do: a bounded top-K heap with a LIMIT, a bounded buffer without. */
import { ConnectorError } from '../errors.ts';

/** Keeps the k smallest items by `compare` in O(k) memory. */
export class TopK<T> {
  private readonly heap: T[] = [];
  private seq = 0;
  private readonly order = new Map<T, number>();

  constructor(
    private readonly k: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  // Ties keep arrival order (a stable sort), so the heap compares by arrival last.
  private cmp(a: T, b: T): number {
    return this.compare(a, b) || (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0);
  }

  push(item: T): void {
    if (this.k === 0) return;
    const h = this.heap;
    if (h.length === this.k) {
      if (this.compare(item, h[0]) >= 0) return;
      this.order.delete(h[0]);
      this.order.set(item, this.seq++);
      h[0] = item;
      this.down(0);
      return;
    }
    this.order.set(item, this.seq++);
    h.push(item);
    this.up(h.length - 1);
  }

  /** The kept items, sorted. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => this.cmp(a, b));
  }

  // A max-heap: the worst kept item is at the top, ready to be replaced.
  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(h[i], h[p]) <= 0) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.cmp(h[l], h[m]) > 0) m = l;
      if (r < h.length && this.cmp(h[r], h[m]) > 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

export async function sortAll<T>(
  rows: AsyncIterable<T>,
  compare: (a: T, b: T) => number,
  maxRows: number,
): Promise<T[]> {
  const all: T[] = [];
  for await (const row of rows) {
    if (all.length >= maxRows) {
      throw new ConnectorError(
        'QUERY_TOO_LARGE',
        `ORDER BY needs to hold every row in memory and there are more than ${maxRows}: add a LIMIT, or order by created DESC (Stripe's own order)`,
        { maxRows },
      );
    }
    all.push(row);
  }
  return all.sort(compare);
}
