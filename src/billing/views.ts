/** Jobs and queues as the CLI, the server and the dashboard show them. */
import type { Job, JobAttempt, JobStatus, Store } from '../store/index.ts';
import type { BillingJobPayload } from './jobs.ts';

/** `failed` is a job waiting out its backoff after a failed attempt; `blocked` a job out of attempts. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked' | 'discarded';

export interface JobView {
  id: number;
  integration: string;
  kind: string;
  summary: string;
  status: JobState;
  attempts: number;
  maxAttempts: number;
  /** When a queued or failed job runs next (epoch ms). */
  runAt: number;
  /** The last failure, or a payment that failed (a declined card): why, in one line. */
  problem: string | null;
  result: unknown;
  key: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  attemptLog?: JobAttempt[];
}

export function jobState(job: Pick<Job, 'status' | 'attempts'>): JobState {
  if (job.status === 'dead') return 'blocked';
  if (job.status === 'queued' && job.attempts > 0) return 'failed';
  return job.status;
}

/** The store's statuses a view status stands for (failed and queued are both `queued` rows). */
export function storeStatuses(state: JobState): JobStatus[] {
  return {
    queued: ['queued'],
    failed: ['queued'],
    running: ['running'],
    succeeded: ['succeeded'],
    blocked: ['dead'],
    discarded: ['discarded'],
  }[state] as JobStatus[];
}

export function viewJob(job: Job<BillingJobPayload>): JobView {
  const result = job.result as { paymentError?: string } | null;
  return {
    id: job.id,
    integration: job.group,
    kind: job.kind,
    summary: job.payload?.summary ?? job.kind,
    status: jobState(job),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    runAt: job.runAt,
    problem: job.status === 'succeeded' ? (result?.paymentError ?? null) : job.lastError,
    result: job.result,
    key: job.key,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}

export interface QueueStatus {
  queued: number;
  running: number;
  failed: number;
  blocked: number;
  succeeded: number;
  discarded: number;
  /** The newest problem among unfinished jobs: what the dashboard shows first. */
  lastProblem: { job: number; summary: string; problem: string; at: number } | null;
}

export async function queueStatus(store: Store, integration: string): Promise<QueueStatus> {
  const counts = await store.billing.counts(integration);
  const open = (await store.billing.jobs<BillingJobPayload>({ integration, status: ['queued', 'dead'] })).map(
    viewJob,
  );
  const failed = open.filter((j) => j.status === 'failed').length;
  const problem = open.filter((j) => j.problem).sort((a, b) => b.updatedAt - a.updatedAt)[0];
  return {
    queued: counts.queued - failed,
    running: counts.running,
    failed,
    blocked: counts.dead,
    succeeded: counts.succeeded,
    discarded: counts.discarded,
    lastProblem: problem
      ? { job: problem.id, summary: problem.summary, problem: problem.problem!, at: problem.updatedAt }
      : null,
  };
}
