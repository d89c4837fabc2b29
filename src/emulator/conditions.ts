/** Test conditions: added latency, a per-key rate limit, injected faults. Seeded, so reproducible. */
import type { EmulatorOptions, FaultSpec } from './types.ts';
import { seededRng, type Rng } from './random.ts';

export type Fault =
  | { kind: 'none' }
  | { kind: 'status'; status: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'drop' }
  | { kind: 'drop-after' }
  | { kind: 'slow'; ms: number };

/** "500:0.05,503:0.01,timeout:0.01,drop:0.01,slow:0.02" → FaultSpec. */
export function parseFaults(spec: string | FaultSpec | undefined): FaultSpec {
  if (!spec) return {};
  if (typeof spec !== 'string') return spec;
  const out: FaultSpec = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, rateText] = part.split(':');
    const rate = Number(rateText);
    if (rateText === undefined || rateText.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1)
      throw new Error(`invalid fault rate in "${part}" (a number from 0 to 1, e.g. 500:0.05)`);
    if (/^5\d\d$/.test(name)) out.status = { ...out.status, [Number(name)]: rate };
    else if (name === 'timeout' || name === 'drop' || name === 'slow') out[name] = rate;
    else if (name === 'drop-after') out.dropAfter = rate;
    else throw new Error(`unknown fault "${name}" (use 5xx codes, timeout, drop, drop-after, slow)`);
  }
  return out;
}

export function parseLatency(text: string): { ms: number; jitterMs?: number } {
  const parts = text.split(':');
  const [ms, jitter] = parts.map((p) => (/^\s*\d+(\.\d+)?\s*$/.test(p) ? Number(p) : NaN));
  if (parts.length > 2 || !Number.isFinite(ms) || (parts.length === 2 && !Number.isFinite(jitter)))
    throw new Error(`invalid latency "${text}" (milliseconds, optionally :jitter, e.g. 50 or 50:20)`);
  return { ms, jitterMs: parts.length === 2 ? jitter : undefined };
}

/** "25/s" → 25. The unit is required so a count is never read as another rate. */
export function parseRateLimit(text: string): number {
  const m = /^\s*(\d+)\s*\/\s*s\s*$/.exec(text);
  if (!m || Number(m[1]) < 1)
    throw new Error(`invalid rate limit "${text}" (requests per second, e.g. 25/s)`);
  return Number(m[1]);
}

export class Conditions {
  private latency?: { ms: number; jitterMs?: number };
  private rateLimit?: number;
  private faults: FaultSpec = {};
  private readonly rng: Rng;
  private readonly windows = new Map<string, { second: number; count: number }>();

  constructor(opts: EmulatorOptions) {
    this.rng = seededRng(opts.randomSeed ?? 1);
    this.set(opts);
  }

  set(c: Partial<Pick<EmulatorOptions, 'latency' | 'rateLimit' | 'faults'>>): void {
    if ('latency' in c) this.latency = c.latency;
    if ('rateLimit' in c) this.rateLimit = c.rateLimit;
    if ('faults' in c) this.faults = parseFaults(c.faults);
  }

  /** Milliseconds to wait before answering. */
  delay(): number {
    if (!this.latency) return 0;
    const jitter = this.latency.jitterMs ? (this.rng() * 2 - 1) * this.latency.jitterMs : 0;
    return Math.max(0, Math.round(this.latency.ms + jitter));
  }

  /** Whether this key is over its budget for the current second (a fixed one-second window). */
  limited(key: string): boolean {
    if (!this.rateLimit) return false;
    const second = Math.floor(Date.now() / 1000);
    const w = this.windows.get(key);
    if (!w || w.second !== second) {
      this.windows.set(key, { second, count: 1 });
      return false;
    }
    w.count++;
    return w.count > this.rateLimit;
  }

  /** One fault decision per request, in arrival order, from the seeded generator. */
  fault(): Fault {
    const f = this.faults;
    if (!f.status && !f.timeout && !f.drop && !f.dropAfter && !f.slow) return { kind: 'none' };
    let r = this.rng();
    for (const [status, rate] of Object.entries(f.status ?? {})) {
      if (r < rate) return { kind: 'status', status: Number(status) };
      r -= rate;
    }
    if (f.timeout && r < f.timeout) return { kind: 'timeout', ms: f.timeoutMs ?? 30_000 };
    r -= f.timeout ?? 0;
    if (f.drop && r < f.drop) return { kind: 'drop' };
    r -= f.drop ?? 0;
    if (f.dropAfter && r < f.dropAfter) return { kind: 'drop-after' };
    r -= f.dropAfter ?? 0;
    if (f.slow && r < f.slow) return { kind: 'slow', ms: f.slowMs ?? 2_000 };
    return { kind: 'none' };
  }
}
