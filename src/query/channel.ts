/**
 * A bounded async queue: producers wait when it is full (backpressure), the consumer waits when it
 * is empty. Closing wakes everyone: pending pushes return false so producers stop early.
 */
export class Channel<T> {
  private readonly items: T[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly dataWaiters: Array<() => void> = [];
  private closed = false;
  private error: unknown;
  private failed = false;

  constructor(private readonly capacity: number) {}

  get isClosed(): boolean {
    return this.closed;
  }

  async push(item: T): Promise<boolean> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.closed) return false;
    this.items.push(item);
    this.dataWaiters.shift()?.();
    return true;
  }

  /** The next item, or undefined when closed and drained. Throws what `fail` was given. */
  async pull(): Promise<T | undefined> {
    for (;;) {
      if (this.failed) throw this.error;
      if (this.items.length) break;
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => this.dataWaiters.push(resolve));
    }
    const item = this.items.shift() as T;
    this.spaceWaiters.shift()?.();
    return item;
  }

  close(): void {
    this.closed = true;
    for (const wake of this.spaceWaiters.splice(0)) wake();
    for (const wake of this.dataWaiters.splice(0)) wake();
  }

  fail(error: unknown): void {
    this.failed = true;
    this.error = error;
    this.close();
  }
}
