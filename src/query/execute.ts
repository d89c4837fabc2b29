/**
 * The streaming executor: pages from Stripe → residual filter → order → offset/limit → projection.
 * Everything is pull-based (async generators), so a slow consumer slows the fetching, and a LIMIT
 * that is met stops paging at once.
 */
import type { ConnectorContext } from '../context.ts';
import type { Gateway } from '../gateway/types.ts';
import { and, type Expr } from './ast.ts';
import { comparator, compile, valueAt } from './evaluate.ts';
import { estimatedPages } from './explain.ts';
import { TopK, sortAll } from './order.ts';
import { scanPages, type PageEvent } from './pages.ts';
import { planQuery, type Plan, type QueryInput } from './plan.ts';
import { slicedPages, type SliceStats } from './slices.ts';

export type Row = Record<string, unknown>;

/**
 * Progress of one query, handed to `onPage` after every page or retrieve. Everything in it is
 * counted locally: learning it costs no API call. A caller shows rows, requests and, where the
 * plan bounds them, a total (ETA); the rows the query has yielded so far it counts itself.
 */
export interface QueryProgress extends PageEvent {
  /** Requests this query has made so far (pages, retrieves and slice probes). */
  requests: number;
  /** Rows received from Stripe so far, before local filtering. */
  fetched: number;
  /**
   * Requests the plan will make, when the plan alone tells (retrieves: one per id; an exact
   * LIMIT without local filtering: its pages); undefined when it depends on the data.
   */
  expectedRequests?: number;
}

export interface RunOptions {
  /** Concurrent cursors for sliced full scans (default 8; 1 disables slicing). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after every API page or retrieve, with the query's progress so far. */
  onPage?: (event: QueryProgress) => void;
  /** Filled while running: probe requests and slices used. */
  stats?: SliceStats;
}

function isPlan(value: QueryInput | Plan): value is Plan {
  return Array.isArray((value as Plan).scans);
}

async function* mergeNewestFirst(sources: AsyncGenerator<Row[]>[]): AsyncGenerator<Row> {
  // k-way merge of newest-first streams (IN fan-out with ORDER BY created DESC).
  const iters = sources.map((s) => ({ s, page: [] as Row[], i: 0, done: false }));
  const head = async (it: (typeof iters)[number]): Promise<Row | undefined> => {
    while (!it.done && it.i >= it.page.length) {
      const next = await it.s.next();
      if (next.done) it.done = true;
      else {
        it.page = next.value;
        it.i = 0;
      }
    }
    return it.done ? undefined : it.page[it.i];
  };
  try {
    for (;;) {
      let best: (typeof iters)[number] | undefined;
      let bestRow: Row | undefined;
      for (const it of iters) {
        const row = await head(it);
        if (row && (!bestRow || Number(row.created) > Number(bestRow.created))) {
          best = it;
          bestRow = row;
        }
      }
      if (!best || !bestRow) return;
      best.i++;
      yield bestRow;
    }
  } finally {
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}

/** The gateway, counting the requests this query makes (slice probes included). */
function counting(gateway: Gateway, progress: { requests: number }): Gateway {
  const counted = Object.create(gateway) as Gateway;
  counted.request = (req) => {
    progress.requests++;
    return gateway.request(req);
  };
  return counted;
}

type Paging = { signal?: AbortSignal; onPage: (event: PageEvent) => void };

function progressOf(plan: Plan, options: RunOptions): { gateway: (g: Gateway) => Gateway; paging: Paging } {
  const progress = { requests: 0, fetched: 0 };
  const expectedRequests = estimatedPages(plan) ?? undefined;
  const onPage = (event: PageEvent) => {
    progress.fetched += event.rows;
    options.onPage?.({ ...event, ...progress, expectedRequests });
  };
  return { gateway: (g) => counting(g, progress), paging: { signal: options.signal, onPage } };
}

async function* sourceRows(ctx: ConnectorContext, plan: Plan, options: RunOptions): AsyncGenerator<Row> {
  const { gateway: count, paging } = progressOf(plan, options);
  ctx = { ...ctx, gateway: count(ctx.gateway) };
  if (plan.sliceable && (options.concurrency ?? 8) > 1) {
    const pages = slicedPages(
      ctx.gateway,
      plan.scans[0].call,
      { ...paging, concurrency: options.concurrency, ordered: plan.orderMode === 'native' },
      options.stats,
    );
    for await (const page of pages) yield* page;
    return;
  }
  if (plan.merge === 'created-desc') {
    yield* mergeNewestFirst(plan.scans.map((s) => scanPages(ctx.gateway, s, paging)));
    return;
  }
  const seen = plan.scans.length > 1 ? new Set<unknown>() : undefined;
  for (const scan of plan.scans) {
    for await (const page of scanPages(ctx.gateway, scan, paging)) {
      for (const row of page) {
        // Repeated ids in `id IN (…)` must not repeat rows.
        if (seen && scan.kind === 'retrieve') {
          if (seen.has(row.id)) continue;
          seen.add(row.id);
        }
        yield row;
      }
    }
  }
}

async function* filtered(rows: AsyncIterable<Row>, plan: Plan): AsyncGenerator<Row> {
  const test = compile(and([plan.residual, plan.recheck].filter((e): e is Expr => Boolean(e))));
  for await (const row of rows) if (test(row) === true) yield row;
}

/** An expansion made for the filter or the order is undone: the field shows its id, as unexpanded. */
function collapse(plan: Plan): (row: Row) => Row {
  const fields = plan.collapse;
  if (!fields.length) return (row) => row;
  return (row) => {
    const out: Row = { ...row };
    for (const f of fields) {
      const v = out[f];
      if (v !== null && typeof v === 'object' && 'id' in v) out[f] = (v as { id: unknown }).id;
    }
    return out;
  };
}

function project(plan: Plan): (row: Row) => Row {
  const select = plan.select;
  const undo = collapse(plan);
  if (!select) return undo;
  return (raw) => {
    const row = undo(raw);
    const out: Row = {};
    for (const item of select) out[item.as] = valueAt(row, item.field) ?? null;
    return out;
  };
}

/** Runs a query (or a prepared plan) and streams its rows: native Stripe objects or projections. */
export async function* runQuery(
  ctx: ConnectorContext,
  input: QueryInput | Plan,
  options: RunOptions = {},
): AsyncGenerator<Row> {
  const plan = isPlan(input) ? input : planQuery(ctx.catalog, input);
  let rows: AsyncIterable<Row> = filtered(sourceRows(ctx, plan, options), plan);
  if (plan.count) {
    let n = 0;
    for await (const _ of rows) n++;
    yield { count: n };
    return;
  }
  const limit = plan.limit ?? Infinity;
  if (limit === 0) return;
  if (plan.orderMode === 'topk' || plan.orderMode === 'buffer') {
    const compare = comparator(plan.order);
    let sorted: Row[];
    if (plan.orderMode === 'topk') {
      const top = new TopK<Row>(plan.offset + limit, compare);
      for await (const row of rows) top.push(row);
      sorted = top.sorted();
    } else sorted = await sortAll(rows, compare, plan.maxBuffer);
    rows = (async function* () {
      yield* sorted;
    })();
  }
  const shape = project(plan);
  let skipped = 0;
  let emitted = 0;
  for await (const row of rows) {
    if (skipped < plan.offset) {
      skipped++;
      continue;
    }
    yield shape(row);
    if (++emitted >= limit) return;
  }
}

/** Collects every row (tests, small results). */
export async function collect(
  ctx: ConnectorContext,
  input: QueryInput | Plan,
  options?: RunOptions,
): Promise<Row[]> {
  const out: Row[] = [];
  for await (const row of runQuery(ctx, input, options)) out.push(row);
  return out;
}
