/**
 * The generic job queue (after pg-boss / graphile-worker): a job is a row; claiming is one atomic
 * select-and-update (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: inside a write transaction);
 * retries, backoff, leases and dead letters are columns. Deliveries and billing jobs both use it.
 */
import type { Selectable } from 'kysely';
import type { JobsTable } from '../schema.ts';
import { fromJson, toJson, type Db, type RepoContext } from '../context.ts';
import { insertNew, updateWhere } from '../direct.ts';
import { claimIds, release, runIds, take } from './job-claims.ts';
import type {
  ClaimOptions,
  RunClaimOptions,
  EnqueueInput,
  FailOptions,
  Job,
  JobAttempt,
  JobQueue,
  JobStatus,
} from '../types.ts';

const STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'dead', 'discarded'];

export function toJob<P>(r: Selectable<JobsTable>): Job<P> {
  return {
    id: Number(r.id),
    queue: r.queue,
    group: r.grp,
    kind: r.kind,
    key: r.dedup_key,
    payload: fromJson<P>(r.payload),
    status: r.status as JobStatus,
    ordered: r.ordered === 1,
    holdOnDead: r.hold_on_dead === 1,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    expiresAt: r.expires_at,
    lockedBy: r.locked_by,
    lockedUntil: r.locked_until,
    lastError: r.last_error,
    result: fromJson(r.result),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

/** Exponential backoff with ±20% jitter, so retries of many jobs do not arrive together. */
export function backoffDelay(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** The context for statements in `tx`: ctx itself when already in that transaction. */
const inside = (ctx: RepoContext, tx: Db): RepoContext =>
  tx === ctx.db ? ctx : { ...ctx, db: tx, direct: undefined };

function finishAttempt(ctx: RepoContext, jobId: number, outcome: string, error: string | null, now: number) {
  const done = { finished_at: now, outcome, error };
  return updateWhere(ctx, 'job_attempts', done, { job_id: jobId, finished_at: null });
}

/** The job, locked, if `worker` still holds its claim. */
function owned(ctx: RepoContext, dbx: Db, id: number, worker: string) {
  return dbx
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('locked_by', '=', worker)
    .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
    .executeTakeFirst();
}

/** Finds the ids to claim and takes them, in one transaction. */
function claimWith<P>(
  ctx: RepoContext,
  opts: { worker: string; leaseMs: number },
  find: (tx: Db, now: number) => Promise<number[]>,
): Promise<Job<P>[]> {
  return ctx.atomic(async (tx) => {
    const now = ctx.now();
    const ids = await find(tx, now);
    return ids.length ? (await take(tx, ids, opts.worker, opts.leaseMs, now)).map((r) => toJob<P>(r)) : [];
  });
}

/** Putting jobs in and claiming them. */
function intake(ctx: RepoContext): Pick<JobQueue, 'enqueue' | 'claim' | 'claimRun' | 'release'> {
  const { db } = ctx;
  return {
    async enqueue<P>(input: EnqueueInput<P>): Promise<{ job: Job<P>; inserted: boolean }> {
      const now = ctx.now();
      const row = {
        queue: input.queue,
        grp: input.group ?? '',
        kind: input.kind ?? 'job',
        dedup_key: input.key ?? null,
        payload: toJson(input.payload),
        status: 'queued',
        ordered: input.ordered ? 1 : 0,
        hold_on_dead: input.holdOnDead ? 1 : 0,
        attempts: 0,
        max_attempts: input.maxAttempts ?? 10,
        backoff_ms: input.backoffMs ?? 1000,
        backoff_max_ms: input.backoffMaxMs ?? 3_600_000,
        run_at: input.runAt ?? now,
        expires_at: input.expiresAt ?? null,
        created_at: now,
        updated_at: now,
      };
      // Only the id back: the rest is what was written (no parse of a payload just serialised).
      const id = await insertNew(ctx, 'jobs', row, ['queue', 'dedup_key']);
      if (id !== undefined) {
        const written = { ...row, id, payload: 'null', locked_by: null, locked_until: null };
        const job = toJob<P>({ ...written, last_error: null, result: null, finished_at: null });
        return { job: { ...job, payload: input.payload }, inserted: true };
      }
      const existing = await db
        .selectFrom('jobs')
        .selectAll()
        .where('queue', '=', input.queue)
        .where('dedup_key', '=', input.key ?? null)
        .executeTakeFirstOrThrow();
      return { job: toJob<P>(existing), inserted: false };
    },

    claim: <P>(opts: ClaimOptions) => claimWith<P>(ctx, opts, (tx, now) => claimIds(tx, ctx, opts, now)),
    claimRun: <P>(opts: RunClaimOptions) => claimWith<P>(ctx, opts, (tx, now) => runIds(tx, ctx, opts, now)),

    release: (ids, worker) => ctx.atomic((tx) => release(tx, ids, worker, ctx.now())),
  };
}

/** Ending a claimed attempt: success, failure (retry or dead letter), or more time. */
function settle(ctx: RepoContext): Pick<JobQueue, 'complete' | 'fail' | 'extend'> {
  const { db } = ctx;
  return {
    complete(id, worker, result) {
      return ctx.atomic(async (tx) => {
        const now = ctx.now();
        const within = inside(ctx, tx);
        // One guarded update (the row lock on PostgreSQL): done only if this worker still holds it.
        const done = {
          status: 'succeeded',
          locked_by: null,
          locked_until: null,
          result: toJson(result),
          finished_at: now,
          updated_at: now,
          last_error: null,
        };
        const held = { id, status: 'running', locked_by: worker };
        if ((await updateWhere(within, 'jobs', done, held)) !== 1) return false;
        await finishAttempt(within, id, 'succeeded', null, now);
        return true;
      });
    },

    fail(id, worker, opts: FailOptions) {
      return ctx.atomic(async (tx) => {
        const job = await owned(ctx, tx, id, worker);
        if (!job) return undefined;
        const now = ctx.now();
        const outOfTime = job.expires_at !== null && now >= job.expires_at;
        const dead = opts.dead || outOfTime || job.attempts >= job.max_attempts;
        const runAt = Math.max(
          opts.retryAt ?? 0,
          now + backoffDelay(job.attempts, job.backoff_ms, job.backoff_max_ms),
        );
        const row = await tx
          .updateTable('jobs')
          .set({
            status: dead ? 'dead' : 'queued',
            run_at: dead ? job.run_at : runAt,
            locked_by: null,
            locked_until: null,
            last_error: opts.error,
            updated_at: now,
            finished_at: dead ? now : null,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await finishAttempt(inside(ctx, tx), id, dead ? 'dead' : 'failed', opts.error, now);
        return toJob(row);
      });
    },

    async extend(id, worker, leaseMs) {
      const now = ctx.now();
      const r = await db
        .updateTable('jobs')
        .set({ locked_until: now + leaseMs, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', worker)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

/** Operator actions and reads. */
function manage(
  ctx: RepoContext,
): Pick<JobQueue, 'retry' | 'discard' | 'get' | 'list' | 'attempts' | 'counts'> {
  const { db } = ctx;
  return {
    async retry(id, from = ['dead', 'discarded']) {
      const now = ctx.now();
      const r = await db
        .updateTable('jobs')
        .set({ status: 'queued', attempts: 0, run_at: now, finished_at: null, updated_at: now })
        .where('id', '=', id)
        .where('status', 'in', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async discard(id) {
      const now = ctx.now();
      const r = await db
        .updateTable('jobs')
        .set({ status: 'discarded', finished_at: now, updated_at: now, locked_by: null, locked_until: null })
        .where('id', '=', id)
        .where('status', 'in', ['queued', 'dead'])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async get<P>(id: number) {
      const r = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toJob<P>(r) : undefined;
    },

    async list<P>(opts: Parameters<JobQueue['list']>[0]) {
      const statuses = opts.status === undefined ? undefined : ([] as JobStatus[]).concat(opts.status);
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .where('queue', '=', opts.queue)
        .$if(opts.group !== undefined, (qb) => qb.where('grp', '=', opts.group!))
        .$if(statuses !== undefined, (qb) => qb.where('status', 'in', statuses!))
        .$if(opts.afterId !== undefined, (qb) => qb.where('id', '>', opts.afterId!))
        .$if(opts.beforeId !== undefined, (qb) => qb.where('id', '<', opts.beforeId!))
        .orderBy('id', opts.order ?? 'asc')
        .limit(opts.limit ?? 1000)
        .execute();
      return rows.map((r) => toJob<P>(r));
    },

    async attempts(id): Promise<JobAttempt[]> {
      const rows = await db
        .selectFrom('job_attempts')
        .selectAll()
        .where('job_id', '=', id)
        .orderBy('started_at')
        .orderBy('attempt')
        .execute();
      return rows.map((r) => ({
        jobId: Number(r.job_id),
        attempt: r.attempt,
        worker: r.worker,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        outcome: r.outcome as JobAttempt['outcome'],
        error: r.error,
      }));
    },

    async counts(queue, group) {
      const rows = await db
        .selectFrom('jobs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('queue', '=', queue)
        .$if(group !== undefined, (qb) => qb.where('grp', '=', group!))
        .groupBy('status')
        .execute();
      const out = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
      for (const r of rows) out[r.status as JobStatus] = Number(r.n);
      return out;
    },
  };
}

export function jobQueue(ctx: RepoContext): JobQueue {
  return { ...intake(ctx), ...settle(ctx), ...manage(ctx) };
}
