/**
 * Claiming jobs: which rows are due, and taking them. Two shapes: `claim` (up to `limit` due jobs
 * across groups, an ordered job only once nothing before it in its group is unfinished) and
 * `claimRun` (one group's head and the due jobs right behind it, for a worker that runs them in
 * order). Both read unfinished rows only, through the partial indexes `jobs_open` and `jobs_held`
 * (migration 0002), so a claim costs the same after a million finished jobs as after ten.
 */
import { sql, type ExpressionBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Db, RepoContext } from '../context.ts';
import type { JobsTable, StoreDatabase } from '../schema.ts';
import type { ClaimOptions, RunClaimOptions } from '../types.ts';

// Literals, not parameters: a partial index serves a query only when its predicate matches the
// index's own, which SQLite checks on the literal values.
const unfinished = (t: 'j' | 'p') => sql<SqlBool>`${sql.ref(`${t}.status`)} in ('queued', 'running')`;
const heldDead = (t: 'p') =>
  sql<SqlBool>`${sql.ref(`${t}.status`)} = 'dead' and ${sql.ref(`${t}.hold_on_dead`)} = 1`;

type JobsEb = ExpressionBuilder<StoreDatabase & { j: JobsTable }, 'j'>;

/** Due: queued and its time has come, or running under a lease that ran out (its worker died). */
function isDue(eb: JobsEb, now: number) {
  return eb.or([
    eb.and([eb('j.status', '=', 'queued'), eb('j.run_at', '<=', now)]),
    eb.and([eb('j.status', '=', 'running'), eb('j.locked_until', '<', now)]),
  ]);
}

const dueRow = (r: Pick<Selectable<JobsTable>, 'status' | 'run_at' | 'locked_until'>, now: number) =>
  r.status === 'queued' ? r.run_at <= now : r.locked_until !== null && r.locked_until < now;

/** Jobs of j's group before j that are unfinished, or dead and holding the group. */
function earlier(eb: JobsEb, which: 'unfinished' | 'held') {
  return eb
    .selectFrom('jobs as p')
    .select('p.id')
    .whereRef('p.queue', '=', 'j.queue')
    .whereRef('p.grp', '=', 'j.grp')
    .whereRef('p.id', '<', 'j.id')
    .where(which === 'unfinished' ? unfinished('p') : heldDead('p'));
}

/**
 * Up to `limit` due jobs, oldest first: running ones whose lease ran out (found by lease end,
 * through `jobs_leased`; usually none), then queued ones whose time has come (in id order,
 * through `jobs_queued`), neither walking past the jobs being worked on.
 */
export async function claimIds(db: Db, ctx: RepoContext, opts: ClaimOptions, now: number): Promise<number[]> {
  const limit = opts.limit ?? 1;
  const due = (status: 'queued' | 'running', n: number) =>
    db
      .selectFrom('jobs as j')
      .select('j.id')
      .where('j.queue', '=', opts.queue)
      // Literal, as the partial indexes' predicates are.
      .where(sql<SqlBool>`${sql.ref('j.status')} = ${sql.lit(status)}`)
      .where(status === 'queued' ? 'j.run_at' : 'j.locked_until', status === 'queued' ? '<=' : '<', now)
      .$if(opts.groups !== undefined, (qb) =>
        qb.where('j.grp', 'in', opts.groups!.length ? opts.groups! : ['']),
      )
      // An ordered job waits for every earlier job of its group (and a held dead one) to finish.
      .where((eb) =>
        eb.or([
          eb('j.ordered', '=', 0),
          eb.and([eb.not(eb.exists(earlier(eb, 'unfinished'))), eb.not(eb.exists(earlier(eb, 'held')))]),
        ]),
      )
      .orderBy('j.id')
      .limit(n)
      .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate('j').skipLocked())
      .execute();
  const expired = await due('running', limit);
  const queued = expired.length < limit ? await due('queued', limit - expired.length) : [];
  return [...expired, ...queued].map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** The ids of one group's run: its unfinished jobs oldest first, up to the first that is not due. */
export async function runIds(
  db: Db,
  ctx: RepoContext,
  opts: RunClaimOptions,
  now: number,
): Promise<number[]> {
  const head = await db
    .selectFrom('jobs as j')
    .select(['j.id', 'j.status', 'j.run_at', 'j.locked_until'])
    .where('j.queue', '=', opts.queue)
    .where('j.grp', '=', opts.group)
    .where(unfinished('j'))
    .orderBy('j.id')
    .limit(opts.limit ?? 1)
    .execute();
  const end = head.findIndex((r) => !dueRow(r, now));
  const run = head.slice(0, end < 0 ? head.length : end).map((r) => Number(r.id));
  if (!run.length) return [];
  const held = await db
    .selectFrom('jobs as j')
    .select('j.id')
    .where('j.id', '=', run[0])
    .where((eb) => eb.exists(earlier(eb, 'held')))
    .executeTakeFirst();
  if (held) return [];
  // SQLite: this transaction holds the file's write lock, so the rows read are the rows claimed.
  if (ctx.dialect !== 'postgres') return run;
  // PostgreSQL: another node may be claiming the same run right now. Lock the rows, skipping those
  // it holds; FOR UPDATE re-checks each on its latest committed version (still unfinished and
  // due); then keep only the unbroken prefix from our head, so a run is never split between two.
  const locked = await db
    .selectFrom('jobs as j')
    .select('j.id')
    .where('j.id', 'in', run)
    .where(unfinished('j'))
    .where((eb) => isDue(eb, now))
    .forUpdate()
    .skipLocked()
    .execute();
  const got = new Set(locked.map((r) => Number(r.id)));
  const cut = run.findIndex((id) => !got.has(id));
  return cut < 0 ? run : run.slice(0, cut);
}

/** Leases the claimed rows to the worker and opens an attempt for each; rows oldest first. */
export async function take(
  db: Db,
  ids: number[],
  worker: string,
  leaseMs: number,
  now: number,
): Promise<Selectable<JobsTable>[]> {
  const rows = await db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      attempts: eb('attempts', '+', 1),
      locked_by: worker,
      locked_until: now + leaseMs,
      updated_at: now,
    }))
    .where('id', 'in', ids)
    .returningAll()
    .execute();
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  // An attempt still open from an earlier claim was lost with its worker.
  await db
    .updateTable('job_attempts')
    .set({ finished_at: now, outcome: 'lost' })
    .where('job_id', 'in', ids)
    .where('finished_at', 'is', null)
    .execute();
  await db
    .insertInto('job_attempts')
    .values(rows.map((r) => ({ job_id: r.id, attempt: r.attempts, worker, started_at: now })))
    .execute();
  return rows;
}

/** Claimed jobs back to queued, unrun: the claim's attempt is taken back as if it never was. */
export async function release(db: Db, ids: number[], worker: string, now: number): Promise<number> {
  if (!ids.length) return 0;
  const back = await db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'queued',
      attempts: eb('attempts', '-', 1),
      locked_by: null,
      locked_until: null,
      updated_at: now,
    }))
    .where('id', 'in', ids)
    .where('status', '=', 'running')
    .where('locked_by', '=', worker)
    .returning('id')
    .execute();
  if (back.length)
    await db
      .deleteFrom('job_attempts')
      .where(
        'job_id',
        'in',
        back.map((r) => r.id),
      )
      .where('finished_at', 'is', null)
      .execute();
  return back.length;
}
