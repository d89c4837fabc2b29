/**
 * The emulator's recent requests, for tests that assert what reached "Stripe". A fixed-size ring:
 * recording costs O(1) however long the emulator runs (an array with shift() made every request
 * O(n) once full, slowing a long run 2–3×).
 */
import type { RecordedRequest } from './types.ts';

export class RequestLog {
  private readonly slots: Array<RecordedRequest | undefined>;
  /** Index of the oldest entry. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new Error(`request log size must be an integer ≥ 0, not ${capacity}`);
    this.slots = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(record: RecordedRequest): void {
    if (this.capacity === 0) return;
    if (this.count < this.capacity) {
      this.slots[(this.head + this.count) % this.capacity] = record;
      this.count++;
      return;
    }
    this.slots[this.head] = record;
    this.head = (this.head + 1) % this.capacity;
  }

  /** Oldest first, as a fresh array. */
  toArray(): RecordedRequest[] {
    const out = new Array<RecordedRequest>(this.count);
    for (let i = 0; i < this.count; i++)
      out[i] = this.slots[(this.head + i) % this.capacity] as RecordedRequest;
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
