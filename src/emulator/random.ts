/** Seeded randomness: ids and fault decisions are reproducible when a seed is given. */
import { randomBytes } from 'node:crypto';

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for test conditions. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 strings; a pool of crypto bytes keeps id generation cheap under load. */
export class IdGenerator {
  private pool = Buffer.alloc(0);
  private offset = 0;
  constructor(private readonly rng?: Rng) {}

  chars(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += ALPHABET[this.byte() % 62];
    return out;
  }

  id(prefix: string, n = 16): string {
    return `${prefix}_${this.chars(n)}`;
  }

  private byte(): number {
    if (this.rng) return Math.floor(this.rng() * 256);
    if (this.offset >= this.pool.length) {
      this.pool = randomBytes(4096);
      this.offset = 0;
    }
    return this.pool[this.offset++];
  }
}
