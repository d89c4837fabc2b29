/**
 * Walking a Stripe list forward in time, oldest first, as it grows.
 *
 * Stripe lists newest first. `ending_before=X` answers the `limit` objects immediately NEWER than
 * X, still newest first: so each page is reversed, and the next cursor is the page's FIRST
 * (newest) element, not its last. Without a cursor a list starts at the newest end, which is the
 * wrong end; a walk from a time therefore first finds an anchor: the newest object older than that
 * time (`created[lt]`, `limit=1`), and walks forward from it. An anchor that is gone (deleted, or
 * out of the events' 30-day window) falls back to walking from the time.
 */
import { ConnectorError } from '../../errors.ts';
import type { Gateway } from '../../gateway/types.ts';

export type Obj = Record<string, any>;

export interface ForwardWalk {
  /** A list path: `/v1/events`, `/v1/charges`. */
  path: string;
  /** Filters (`types[]`, …); not cursors and not `created`. */
  params?: Record<string, unknown>;
  /** The newest object already seen: the walk yields what is newer. */
  anchor?: string;
  /** Inclusive lower bound on `created` (seconds), used when there is no anchor or it is gone. */
  since: number;
  stripeAccount?: string;
  pageSize?: number;
  signal?: AbortSignal;
  /** Told when the anchor no longer exists and the walk restarted from `since`. */
  onAnchorLost?: (anchor: string) => void;
}

interface ListBody {
  data: Obj[];
  has_more: boolean;
}

export async function* walkForward(gateway: Gateway, walk: ForwardWalk): AsyncGenerator<Obj> {
  if (walk.anchor) {
    try {
      yield* after(gateway, walk, walk.anchor, walk.params);
      return;
    } catch (error) {
      if (!isMissingCursor(error)) throw error;
      walk.onAnchorLost?.(walk.anchor);
    }
  }
  const bounded = { ...walk.params, created: { gte: walk.since } };
  const [older] = (await list(gateway, walk, { ...walk.params, created: { lt: walk.since }, limit: 1 })).data;
  if (older) {
    yield* after(gateway, walk, older.id, bounded);
    return;
  }
  // Nothing older to anchor on: walk back to the oldest page, keeping only that page.
  let oldest: ListBody = await list(gateway, walk, bounded);
  while (oldest.has_more && oldest.data.length) {
    oldest = await list(gateway, walk, { ...bounded, starting_after: oldest.data.at(-1)?.id });
  }
  if (!oldest.data.length) return;
  for (let i = oldest.data.length - 1; i >= 0; i--) yield oldest.data[i];
  yield* after(gateway, walk, oldest.data[0].id, bounded);
}

async function* after(gateway: Gateway, walk: ForwardWalk, anchor: string, params?: Record<string, unknown>) {
  let cursor = anchor;
  for (;;) {
    const page = await list(gateway, walk, { ...params, ending_before: cursor });
    for (let i = page.data.length - 1; i >= 0; i--) yield page.data[i];
    if (!page.has_more || !page.data.length) return;
    cursor = page.data[0].id;
  }
}

/**
 * Everything created in [from, to] (seconds, inclusive), oldest first: a short window read whole
 * (the overlap re-read, the boundary second), paged backwards with `starting_after`.
 */
export async function readWindow(
  gateway: Gateway,
  walk: ListTarget & Pick<ForwardWalk, 'params'>,
  from: number,
  to: number,
): Promise<Obj[]> {
  const found: Obj[] = [];
  const params = { ...walk.params, created: { gte: from, lte: to } };
  for (let cursor: string | undefined; ;) {
    const page = await list(gateway, walk, cursor ? { ...params, starting_after: cursor } : params);
    found.push(...page.data);
    if (!page.has_more || !page.data.length) return found.reverse();
    cursor = page.data.at(-1)?.id;
  }
}

type ListTarget = Pick<ForwardWalk, 'path' | 'stripeAccount' | 'pageSize' | 'signal'>;

function list(gateway: Gateway, walk: ListTarget, params: Record<string, unknown>): Promise<ListBody> {
  walk.signal?.throwIfAborted();
  return gateway.request<ListBody>({
    method: 'GET',
    path: walk.path,
    params: { limit: walk.pageSize ?? 100, ...params },
    stripeAccount: walk.stripeAccount,
    signal: walk.signal,
  });
}

function isMissingCursor(error: unknown): boolean {
  if (!(error instanceof ConnectorError)) return false;
  const stripe = error.details.stripe as { code?: string; param?: string } | undefined;
  return stripe?.code === 'resource_missing' && stripe.param === 'ending_before';
}
