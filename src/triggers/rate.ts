/** A token bucket: `rate` tokens per second, holding at most `burst`; one token per delivery. */

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst = Math.max(1, rate),
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = this.burst;
    this.last = clock();
  }

  /** Takes a token if there is one (returns 0), else returns the ms until one is due (takes none). */
  take(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}
