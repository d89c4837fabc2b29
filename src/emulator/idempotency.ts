/**
 * Idempotency keys as Stripe keeps them: the first response to a POST is replayed for 24 h; the
 * same key with other parameters is an `idempotency_error`; concurrent requests with one key wait
 * for the first rather than running twice.
 */
import { StripeError } from './errors.ts';

const TTL_MS = 24 * 3600 * 1000;

export interface Saved {
  fingerprint: string;
  at: number;
  result: Promise<{ status: number; body: unknown; headers: Record<string, string> } | undefined>;
}

export class Idempotency {
  private readonly entries = new Map<string, Saved>();

  /** Either a replay (the first request's result) or a slot the caller must fill. */
  begin(
    scope: string,
    key: string,
    fingerprint: string,
  ):
    | { replay: Saved['result'] }
    | {
        settle: (r: { status: number; body: unknown; headers: Record<string, string> } | undefined) => void;
      } {
    const id = `${scope}|${key}`;
    const now = Date.now();
    const existing = this.entries.get(id);
    if (existing && now - existing.at < TTL_MS) {
      if (existing.fingerprint !== fingerprint) {
        throw new StripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      }
      return { replay: existing.result };
    }
    let settle!: (r: { status: number; body: unknown; headers: Record<string, string> } | undefined) => void;
    const result = new Promise<
      { status: number; body: unknown; headers: Record<string, string> } | undefined
    >((resolve) => (settle = resolve));
    const saved: Saved = { fingerprint, at: now, result };
    this.entries.set(id, saved);
    if (this.entries.size > 100_000) this.prune(now);
    return {
      settle: (r) => {
        // Stripe saves nothing when a request fails validation or errors on its side: retry may run it.
        if (!r) this.entries.delete(id);
        settle(r);
      },
    };
  }

  private prune(now: number): void {
    for (const [id, e] of this.entries) if (now - e.at >= TTL_MS) this.entries.delete(id);
  }
}
