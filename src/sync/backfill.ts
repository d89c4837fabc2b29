/**
 * The backfill: every object created up to the sync's start, read by concurrent `created` slices
 * and upserted. Each page's rows and its slice's new position commit in one transaction in the
 * target, so a crash at any point resumes every slice from its last page: nothing twice (the id is
 * the key and a re-read page is an upsert), nothing skipped. Slices split themselves from what their
 * first page shows (split.ts), so the plan costs no extra requests. An entity whose list takes no
 * `created` (credit notes, Checkout Sessions) is read in one unsliced pass, resumable the same way.
 *
 * Entities fail alone: the first error of an entity's slices stops that entity (marked failing in
 * the target, health.ts) and the others go on; its next run resumes it.
 */
import { ConnectorError } from '../errors.ts';
import type { Gateway } from '../gateway/types.ts';
import type { TableSpec } from './columns.ts';
import type { Health, SyncFailure } from './health.ts';
import { drain } from './pool.ts';
import { toRow, upsertRows, type Obj } from './rows.ts';
import { splitRemaining } from './split.ts';
import { getState, listState, setState, type StateKey } from './state.ts';
import type { Target } from './target.ts';

export interface SliceState {
  gte: number;
  lte: number;
  cursor?: string;
  cursorCreated?: number;
  rows: number;
  pages: number;
  /** The first page was seen and the slice split (or proved small). */
  split?: boolean;
}

export interface EntityJob {
  spec: TableSpec;
  listPath: string;
  /** Filters every listing needs (e.g. subscriptions' `status=all`). */
  listParams?: Record<string, unknown>;
  /** Its list takes `created` ranges; otherwise one unsliced pass reads it. */
  sliceable: boolean;
}

export interface BackfillProgress {
  account: string;
  entity: string;
  rows: number;
  pages: number;
  slices: number;
  slicesDone: number;
  done: boolean;
  /** Set when the entity failed: its backfill stopped there (the next run resumes it). */
  failure?: SyncFailure;
}

export interface BackfillInput {
  target: Target;
  gateway: Gateway;
  sync: string;
  /** '' for the platform account itself. */
  account: string;
  entities: EntityJob[];
  /** Where an entity's failure (and its recovery) is recorded. */
  health: Health;
  /** Seconds: the sync's start; newer objects arrive through events. */
  startedAt: number;
  concurrency?: number;
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: BackfillProgress) => void;
}

const PLAN = 'plan';
const sliceKey = (r: { gte: number; lte: number }) => `${r.gte}-${r.lte}`;
/** Whether a state row of an entity is one of its backfill slices (not its plan, events, errors). */
export const isSliceKey = (slice: string): boolean => /^\d+-\d+$/.test(slice);
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Task {
  job: EntityJob;
  key: string;
  state: SliceState;
}

function isMissingCursor(error: unknown): boolean {
  if (!(error instanceof ConnectorError)) return false;
  const stripe = error.details.stripe as { code?: string; param?: string } | undefined;
  return stripe?.code === 'resource_missing' && stripe.param === 'starting_after';
}

/** Plans (or resumes) every entity of one account and runs all their slices in one worker pool. */
export async function backfill(input: BackfillInput): Promise<BackfillProgress[]> {
  const { target, sync, account } = input;
  const progress = new Map<string, BackfillProgress>();
  const tasks: Task[] = [];
  for (const job of input.entities) {
    const base = { sync, account, entity: job.spec.entity };
    let plan = await getState(target.db, { ...base, slice: PLAN });
    if (!plan) {
      const root: SliceState = { gte: 0, lte: input.startedAt, rows: 0, pages: 0 };
      await target.db.transaction().execute(async (tx) => {
        await setState(tx, { ...base, slice: PLAN }, { state: { startedAt: input.startedAt } });
        await setState(tx, { ...base, slice: sliceKey(root) }, { state: root });
      });
      plan = await getState(target.db, { ...base, slice: PLAN });
    }
    const slices = (await listState(target.db, base)).filter((s) => isSliceKey(s.slice));
    const p: BackfillProgress = {
      account,
      entity: job.spec.entity,
      rows: slices.reduce((n, s) => n + ((s.state as SliceState).rows ?? 0), 0),
      pages: slices.reduce((n, s) => n + ((s.state as SliceState).pages ?? 0), 0),
      slices: slices.length,
      slicesDone: slices.filter((s) => s.done).length,
      done: Boolean(plan?.done),
    };
    progress.set(job.spec.entity, p);
    if (p.done) continue;
    for (const s of slices) if (!s.done) tasks.push({ job, key: s.slice, state: s.state as SliceState });
  }
  const stopped = new Set<string>();
  await drain(tasks, input.concurrency ?? 8, async (task, add) => {
    const entity = task.job.spec.entity;
    if (stopped.has(entity)) return;
    try {
      await runSlice(input, task, add, progress);
    } catch (error) {
      // Stopping aborts the requests in flight: that ends the run, it is no entity's failure.
      if (input.signal?.aborted) throw error;
      if (stopped.has(entity)) return;
      stopped.add(entity);
      const p = progress.get(entity)!;
      p.failure = await input.health.fail(entity, 'backfill', error);
      input.onProgress?.({ ...p });
    }
  });
  for (const job of input.entities) {
    const p = progress.get(job.spec.entity)!;
    if (stopped.has(job.spec.entity)) continue;
    await input.health.ok(job.spec.entity, 'backfill');
    if (p.done) continue;
    p.done = true;
    await setState(target.db, { sync, account, entity: job.spec.entity, slice: PLAN }, { done: true });
    input.onProgress?.({ ...p });
  }
  return [...progress.values()];
}

async function runSlice(
  input: BackfillInput,
  task: Task,
  add: (t: Task) => void,
  progress: Map<string, BackfillProgress>,
): Promise<void> {
  const { target, gateway, job } = { ...input, job: task.job };
  const key: StateKey = {
    sync: input.sync,
    account: input.account,
    entity: job.spec.entity,
    slice: task.key,
  };
  let state = task.state;
  const p = progress.get(job.spec.entity)!;
  for (;;) {
    input.signal?.throwIfAborted();
    const listedAt = nowSeconds();
    let body: { data: Obj[]; has_more: boolean };
    try {
      body = await gateway.request({
        method: 'GET',
        path: job.listPath,
        params: {
          ...job.listParams,
          limit: input.pageSize ?? 100,
          ...(job.sliceable ? { created: { gte: state.gte, lte: state.lte } } : {}),
          ...(state.cursor ? { starting_after: state.cursor } : {}),
        },
        // The signal is checked between pages: a stop lets the page in flight commit.
      });
    } catch (error) {
      if (!state.cursor || !isMissingCursor(error)) throw error;
      // The last row read was deleted since: re-read its second (upserts are idempotent); an
      // unsliced pass has no second to go back to and reads again from the start.
      const lte = job.sliceable ? (state.cursorCreated ?? state.lte) : state.lte;
      state = { ...state, cursor: undefined, lte };
      continue;
    }
    const data = body.data ?? [];
    const last = data.at(-1);
    const next: SliceState = {
      ...state,
      rows: state.rows + data.length,
      pages: state.pages + 1,
      ...(last ? { cursor: String(last.id), cursorCreated: Number(last.created) } : {}),
      split: true,
    };
    let born: SliceState[] = [];
    if (job.sliceable && !state.split && body.has_more && last) {
      const { keep, slices } = splitRemaining(state, {
        newest: Number(data[0].created),
        oldest: Number(last.created),
      });
      next.gte = keep.gte;
      born = slices.map((r) => ({ ...r, rows: 0, pages: 0 }));
    }
    const done = !body.has_more || data.length === 0;
    const rows = data.map((o) =>
      toRow(job.spec, o, {
        account: input.account,
        version: { created: listedAt, id: '' },
        dialect: target.dialect,
      }),
    );
    await target.db.transaction().execute(async (tx) => {
      await upsertRows(tx, job.spec, rows);
      await setState(tx, key, { state: next, done });
      for (const b of born) await setState(tx, { ...key, slice: sliceKey(b) }, { state: b });
    });
    state = next;
    p.rows += data.length;
    p.pages++;
    p.slices += born.length;
    if (done) p.slicesDone++;
    for (const b of born) add({ job, key: sliceKey(b), state: b });
    input.onProgress?.({ ...p });
    if (done) return;
  }
}
