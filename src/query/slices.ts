/**
 * Full scans split by `created` into slices fetched concurrently. Stripe pages are sequential
 * (each needs the previous page's last id), so one cursor is latency-bound; disjoint `created`
 * ranges have independent cursors.
 *
 * The scan starts as a plain cursor (small results never pay for slicing). After a few pages it
 * knows the newest remaining `created` (hi); it finds the oldest by probing `created[lt]=t,
 * limit=1` (exponentially back from hi, then linearly), splits [oldest, hi) into several slices per
 * worker so uneven density evens out, and keeps the cursor for the rows of second `hi` itself.
 * Ordered output drains slices newest first, each with a small bounded buffer; unordered output
 * takes pages as they come. Memory is bounded by workers × buffered pages.
 */
import type { Gateway } from '../gateway/types.ts';
import { Channel } from './channel.ts';
import { listPages, type PagingOptions } from './pages.ts';
import type { ApiCall } from './plan.ts';

type Page = Array<Record<string, unknown>>;
type Range = { gt?: number; gte?: number; lt?: number; lte?: number };

export interface SliceOptions extends PagingOptions {
  /** Concurrent cursors (default 8). */
  concurrency?: number;
  /** Keep newest-first order across slices. */
  ordered?: boolean;
  /** Plain pages before deciding to slice (default 2). */
  sequentialPages?: number;
  /** Slices per worker (default 4). */
  slicesPerWorker?: number;
}

export interface SliceStats {
  probes: number;
  slices: number;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function withCreated(call: ApiCall, range: Range): ApiCall {
  return { ...call, params: { ...call.params, created: range } };
}

/** The smallest t such that no row is older than t, found to within a fraction of [lo, hi). */
async function oldestBound(
  gateway: Gateway,
  call: ApiCall,
  lo: number,
  hi: number,
  options: SliceOptions,
  stats: SliceStats,
): Promise<number> {
  const existsBelow = async (t: number): Promise<boolean> => {
    stats.probes++;
    const body = await gateway.request<{ data: unknown[] }>({
      method: 'GET',
      path: call.path,
      params: { ...call.params, limit: 1, created: { gte: lo, lt: t } },
      signal: options.signal,
    });
    return (body.data?.length ?? 0) > 0;
  };
  const concurrency = options.concurrency ?? 8;
  // Exponentially back from hi: the boundary falls between the last point with older rows and the first without.
  const points: number[] = [];
  for (let d = 60; hi - d > lo; d *= 2) points.push(hi - d);
  points.push(lo);
  let found = await mapLimit(points, concurrency, existsBelow);
  let upper = hi;
  let lower = lo;
  for (let i = 0; i < points.length; i++) {
    if (found[i]) upper = points[i];
    else {
      lower = points[i];
      break;
    }
  }
  // Two linear refinements of the remaining window.
  for (let round = 0; round < 2 && upper - lower > 1; round++) {
    const step = (upper - lower) / 8;
    const inner = Array.from({ length: 7 }, (_, k) => Math.round(lower + step * (k + 1))).filter(
      (t, k, all) => t > lower && t < upper && all.indexOf(t) === k,
    );
    found = await mapLimit(inner, concurrency, existsBelow);
    let newLower = lower;
    let newUpper = upper;
    for (let k = inner.length - 1; k >= 0; k--) {
      if (found[k]) newUpper = inner[k];
      else {
        newLower = inner[k];
        break;
      }
    }
    lower = newLower;
    upper = newUpper;
  }
  return lower;
}

/** Pages of a list call, sliced by `created` once it proves large. */
export async function* slicedPages(
  gateway: Gateway,
  call: ApiCall,
  options: SliceOptions = {},
  stats: SliceStats = { probes: 0, slices: 0 },
): AsyncGenerator<Page> {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const sequential = options.sequentialPages ?? 2;
  const userRange = call.params.created;
  // An exact `created = t` is one second: nothing to split.
  if (typeof userRange === 'number' || concurrency === 1) return yield* listPages(gateway, call, options);

  let cursor: string | undefined;
  let last: Record<string, unknown> | undefined;
  let pages = 0;
  const head = listPages(gateway, call, options);
  for await (const page of head) {
    yield page;
    last = page[page.length - 1];
    cursor = String(last.id);
    if (++pages >= sequential) break;
  }
  if (pages < sequential || !last) return;
  const hi = Number(last.created);
  const r = (userRange ?? {}) as Range;
  const lo = r.gte ?? (r.gt !== undefined ? r.gt + 1 : 0);
  if (!Number.isFinite(hi) || hi <= lo) return yield* listPages(gateway, call, options, cursor);

  // The same-second rows after the cursor come first; then [oldest, hi) in time slices.
  const oldest = await oldestBound(gateway, call, lo, hi, options, stats);
  const count = concurrency * (options.slicesPerWorker ?? 4);
  const width = Math.max(1, Math.ceil((hi - oldest) / count));
  const slices: Array<{ call: ApiCall; cursor?: string }> = [
    { call: withCreated(call, { gte: hi, lte: hi }), cursor },
  ];
  for (let top = hi; top > oldest; top -= width) {
    slices.push({ call: withCreated(call, { gte: Math.max(oldest, top - width), lt: top }) });
  }
  stats.slices = slices.length;

  const ordered = options.ordered ?? false;
  const shared = new Channel<Page>(concurrency * 2);
  const perSlice = ordered ? slices.map(() => new Channel<Page>(2)) : [];
  let nextSlice = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && nextSlice < slices.length) {
      const index = nextSlice++;
      const slice = slices[index];
      const out = ordered ? perSlice[index] : shared;
      for await (const page of listPages(gateway, slice.call, options, slice.cursor)) {
        if (stopped || !(await out.push(page))) return;
      }
      if (ordered) out.close();
    }
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker)).then(
    () => shared.close(),
    (error) => {
      stopped = true;
      shared.fail(error);
      for (const c of perSlice) c.fail(error);
    },
  );
  try {
    if (ordered) {
      for (const channel of perSlice) {
        for (let page = await channel.pull(); page; page = await channel.pull()) yield page;
      }
    } else {
      for (let page = await shared.pull(); page; page = await shared.pull()) yield page;
    }
    await workers;
  } finally {
    stopped = true;
    shared.close();
    for (const c of perSlice) c.close();
  }
}
