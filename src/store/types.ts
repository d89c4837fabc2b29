/**
 * The Store: everything the connector keeps beyond one process's life. One interface, two backends
 * (SQLite embedded, PostgreSQL for scale-out) that pass the same contract suite
 * (test/store/contract.ts). Methods are small and typed per repository; `transaction` runs several
 * of them atomically. Times are epoch milliseconds from the store's clock.
 */

export type Dialect = 'sqlite' | 'postgres';

export type Json = unknown;

// ---------------------------------------------------------------- jobs (the generic queue)

/** queued: waiting (maybe until runAt); running: claimed, leased until lockedUntil; succeeded;
 *  dead: out of attempts or time (a dead letter / a blocked billing job); discarded: given up. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'dead' | 'discarded';

export interface Job<P = Json> {
  id: number;
  queue: string;
  /** The ordering / one-at-a-time unit: a trigger name, a billing integration. */
  group: string;
  kind: string;
  key: string | null;
  payload: P;
  status: JobStatus;
  ordered: boolean;
  holdOnDead: boolean;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  expiresAt: number | null;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
  result: Json | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface EnqueueInput<P = Json> {
  queue: string;
  group?: string;
  kind?: string;
  /** Dedup key, unique per queue: enqueuing the same key twice returns the first job. */
  key?: string;
  payload: P;
  /** Ordered: claimable only when every earlier job of its group is finished. */
  ordered?: boolean;
  /** With ordered: a dead (blocked) earlier job also holds the group back until retried/discarded. */
  holdOnDead?: boolean;
  maxAttempts?: number;
  /** First retry waits backoffMs, doubling each attempt up to backoffMaxMs (±20% jitter). */
  backoffMs?: number;
  backoffMaxMs?: number;
  runAt?: number;
  /** After this time a failure dead-letters the job whatever its attempts. */
  expiresAt?: number;
}

export interface ClaimOptions {
  queue: string;
  worker: string;
  /** How long the claim holds; past it, another worker may reclaim the job (its process died). */
  leaseMs: number;
  limit?: number;
  groups?: string[];
}

/** A run claim: the head of one group's queue and the due jobs right behind it (`claimRun`). */
export interface RunClaimOptions {
  queue: string;
  group: string;
  worker: string;
  leaseMs: number;
  /** Jobs in the run at most (default 1). */
  limit?: number;
}

export interface FailOptions {
  error: string;
  /** Retry no earlier than this (e.g. from Retry-After); otherwise the row's backoff applies. */
  retryAt?: number;
  /** Dead-letter now (e.g. 410 Gone, a permanent error). */
  dead?: boolean;
}

export interface JobAttempt {
  jobId: number;
  attempt: number;
  worker: string;
  startedAt: number;
  finishedAt: number | null;
  outcome: 'succeeded' | 'failed' | 'dead' | 'lost' | null;
  error: string | null;
}

export interface ListJobsOptions {
  queue: string;
  group?: string;
  status?: JobStatus | JobStatus[];
  limit?: number;
  /** Only jobs with a larger id (a page after this one). */
  afterId?: number;
  /** Only jobs with a smaller id (a page before this one). */
  beforeId?: number;
  /** By id: `asc` (default, oldest first) or `desc` (newest first). */
  order?: 'asc' | 'desc';
}

export interface JobQueue {
  /** Adds a job; with a key already in the queue, returns that job and inserted: false. */
  enqueue<P>(input: EnqueueInput<P>): Promise<{ job: Job<P>; inserted: boolean }>;
  /** Atomically claims up to `limit` (default 1) due jobs, oldest first: each goes to exactly one worker. */
  claim<P = Json>(opts: ClaimOptions): Promise<Job<P>[]>;
  /**
   * Claims the run at the head of one group: its oldest unfinished job and the ones right behind
   * it, in order, as long as each is due (a job that waits for its retry time, or is held by
   * another worker, ends the run; a held dead job before the head means no run at all). The
   * worker then runs them one after another and must `release` what it does not run. On
   * PostgreSQL the rows are locked with SKIP LOCKED and the run cut at the first row it could not
   * lock, so two claimers never split one group's consecutive jobs between them.
   */
  claimRun<P = Json>(opts: RunClaimOptions): Promise<Job<P>[]>;
  /**
   * Gives claimed jobs back unrun: queued again at once, the claim's attempt not counted. Only
   * jobs `worker` still holds; returns how many were released.
   */
  release(ids: number[], worker: string): Promise<number>;
  /** Acks a claimed job; false when the worker no longer holds it (its lease ran out and moved). */
  complete(id: number, worker: string, result?: Json): Promise<boolean>;
  /** Records a failed attempt: back to queued with backoff, or dead when out of attempts/time. */
  fail(id: number, worker: string, opts: FailOptions): Promise<Job | undefined>;
  /** Extends a running claim (a heartbeat for long work). */
  extend(id: number, worker: string, leaseMs: number): Promise<boolean>;
  /** A dead or discarded job (or one in `from`) back to queued with fresh attempts, keeping its id. */
  retry(id: number, from?: JobStatus[]): Promise<boolean>;
  /** A queued or dead job given up. */
  discard(id: number): Promise<boolean>;
  get<P = Json>(id: number): Promise<Job<P> | undefined>;
  list<P = Json>(opts: ListJobsOptions): Promise<Job<P>[]>;
  attempts(id: number): Promise<JobAttempt[]>;
  counts(queue: string, group?: string): Promise<Record<JobStatus, number>>;
}

// ---------------------------------------------------------------- triggers, checkpoints, inbox

/** Trigger definitions: named JSON, like connections (without the secret check). */
export type TriggerRecord<D = Json> = NamedRecord<D>;
export type TriggerRepo = NamedRepo;

export interface Checkpoint<S = Json> {
  trigger: string;
  source: string;
  cursor: string | null;
  state: S | null;
  updatedAt: number;
}

export interface CheckpointRepo {
  get<S = Json>(trigger: string, source: string): Promise<Checkpoint<S> | undefined>;
  set<S>(trigger: string, source: string, cursor: string | null, state?: S): Promise<void>;
  list<S = Json>(trigger?: string): Promise<Checkpoint<S>[]>;
  remove(trigger: string, source?: string): Promise<number>;
}

export interface InboxEvent<P = Json> {
  id: number;
  /** Whose events: a connection (`conn:<name>`, a webhook source shared by its triggers) or a trigger. */
  scope: string;
  eventId: string;
  type: string;
  account: string | null;
  eventCreated: number | null;
  payload: P;
  receivedAt: number;
}

export interface InboxInput<P = Json> {
  scope: string;
  eventId: string;
  type: string;
  account?: string | null;
  eventCreated?: number | null;
  payload: P;
}

export interface InboxRepo {
  /** Inserts unless (scope, eventId) is already there; `inserted` tells which. Never throws on a duplicate. */
  add<P>(input: InboxInput<P>): Promise<{ event: InboxEvent<P>; inserted: boolean }>;
  get<P = Json>(scope: string, eventId: string): Promise<InboxEvent<P> | undefined>;
  /** Events of a scope in arrival order after `afterId` (a replay window: by eventCreated range too). */
  list<P = Json>(opts: {
    scope: string;
    afterId?: number;
    from?: number;
    to?: number;
    limit?: number;
  }): Promise<InboxEvent<P>[]>;
  /** Drops events received before `before` (retention). */
  prune(scope: string, before: number): Promise<number>;
}

// ---------------------------------------------------------------- deliveries (jobs in queue 'delivery')

export interface DeliveryInput<P = Json> {
  trigger: string;
  /** The event this delivery carries; with trigger, it is the delivery's dedup key. */
  eventId: string;
  payload: P;
  ordered?: boolean;
  maxAttempts?: number;
  backoffMs?: number;
  backoffMaxMs?: number;
  expiresAt?: number;
}

/** A delivery is a Job whose `id` is the stable delivery id (the same on every retry and redelivery). */
export interface DeliveryRepo {
  enqueue<P>(input: DeliveryInput<P>): Promise<{ delivery: Job<P>; inserted: boolean }>;
  claim<P = Json>(opts: Omit<ClaimOptions, 'queue' | 'groups'> & { triggers?: string[] }): Promise<Job<P>[]>;
  /** The run of due deliveries at the head of an ordered trigger (JobQueue.claimRun). */
  claimRun<P = Json>(opts: Omit<RunClaimOptions, 'queue' | 'group'> & { trigger: string }): Promise<Job<P>[]>;
  /** Claimed deliveries given back unsent (JobQueue.release). */
  release(ids: number[], worker: string): Promise<number>;
  ack(id: number, worker: string): Promise<boolean>;
  fail(id: number, worker: string, opts: FailOptions): Promise<Job | undefined>;
  /** A dead letter, or an acked delivery (a replay), queued again under the same delivery id. */
  redeliver(id: number): Promise<boolean>;
  list<P = Json>(trigger: string, opts?: Omit<ListJobsOptions, 'queue' | 'group'>): Promise<Job<P>[]>;
  deadLetters<P = Json>(trigger: string, limit?: number): Promise<Job<P>[]>;
  counts(trigger: string): Promise<Record<JobStatus, number>>;
  get<P = Json>(id: number): Promise<Job<P> | undefined>;
  attempts(id: number): Promise<JobAttempt[]>;
}

// ---------------------------------------------------------------- tokens, connections

export type TokenScope = 'read' | 'write' | 'admin';

export interface TokenRecord {
  id: string;
  name: string;
  scopes: TokenScope[];
  /** Connection names this token may use; null = all. */
  connections: string[] | null;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface TokenRepo {
  /** Makes a random token; the plain value is returned once and only its SHA-256 is stored. */
  create(input: {
    name: string;
    scopes: TokenScope[];
    connections?: string[] | null;
  }): Promise<{ token: string; record: TokenRecord }>;
  /** The live token this plain value is, touching lastUsedAt (to the minute); undefined if unknown or revoked. */
  verify(plain: string): Promise<TokenRecord | undefined>;
  list(): Promise<TokenRecord[]>;
  revoke(id: string): Promise<boolean>;
}

export interface NamedRecord<D = Json> {
  name: string;
  definition: D;
  createdAt: number;
  updatedAt: number;
}

export type ConnectionRepo = NamedRepo;

export interface NamedRepo {
  /** Upserts a definition; for connections, refuses (INVALID_VALUE) a literal secret in it. */
  put<D>(name: string, definition: D): Promise<NamedRecord<D>>;
  get<D = Json>(name: string): Promise<NamedRecord<D> | undefined>;
  list<D = Json>(): Promise<NamedRecord<D>[]>;
  remove(name: string): Promise<boolean>;
}

// ---------------------------------------------------------------- billing

export interface BillingIntegration<D = Json> extends NamedRecord<D> {
  title: string;
}

export interface BillingCatalog {
  name: string;
  kind: string;
  createdAt: number;
  integrations: string[];
}

export interface BillingJobInput<P = Json> {
  integration: string;
  kind: string;
  /** The job's idempotency key (derived from the plan): enqueuing it again returns the same job. */
  key: string;
  payload: P;
  maxAttempts?: number;
  backoffMs?: number;
  backoffMaxMs?: number;
}

export interface BillingRepo {
  putIntegration<D>(name: string, title: string, definition: D): Promise<BillingIntegration<D>>;
  getIntegration<D = Json>(name: string): Promise<BillingIntegration<D> | undefined>;
  listIntegrations<D = Json>(): Promise<BillingIntegration<D>[]>;
  removeIntegration(name: string): Promise<boolean>;
  putCatalog(name: string, kind: string): Promise<BillingCatalog>;
  getCatalog(name: string): Promise<BillingCatalog | undefined>;
  listCatalogs(): Promise<BillingCatalog[]>;
  attach(catalog: string, integration: string): Promise<void>;
  detach(catalog: string, integration: string): Promise<void>;
  /** One queue per integration, creation order, one running at a time, a blocked job holds it. */
  enqueue<P>(input: BillingJobInput<P>): Promise<{ job: Job<P>; inserted: boolean }>;
  claim<P = Json>(
    opts: Omit<ClaimOptions, 'queue' | 'groups'> & { integrations?: string[] },
  ): Promise<Job<P>[]>;
  complete(id: number, worker: string, result?: Json): Promise<boolean>;
  /** Failed attempt: retried with backoff, then `dead` = blocked. */
  fail(id: number, worker: string, opts: FailOptions): Promise<Job | undefined>;
  retry(id: number): Promise<boolean>;
  discard(id: number): Promise<boolean>;
  jobs<P = Json>(opts?: {
    integration?: string;
    status?: JobStatus | JobStatus[];
    limit?: number;
  }): Promise<Job<P>[]>;
  counts(integration: string): Promise<Record<JobStatus, number>>;
}

// ---------------------------------------------------------------- sync, nodes, leases, kv

export interface SyncCheckpoint<S = Json> {
  sync: string;
  entity: string;
  slice: string;
  cursor: string | null;
  state: S | null;
  done: boolean;
  updatedAt: number;
}

export interface SyncRepo {
  get<S = Json>(sync: string, entity: string, slice: string): Promise<SyncCheckpoint<S> | undefined>;
  set<S>(
    sync: string,
    entity: string,
    slice: string,
    v: { cursor?: string | null; state?: S; done?: boolean },
  ): Promise<void>;
  list<S = Json>(sync: string, entity?: string): Promise<SyncCheckpoint<S>[]>;
  clear(sync: string, entity?: string): Promise<number>;
}

export interface NodeRecord<I = Json> {
  id: string;
  info: I;
  startedAt: number;
  heartbeatAt: number;
}

export interface NodeRepo {
  heartbeat<I>(id: string, info: I): Promise<void>;
  /** Nodes whose last heartbeat is within `aliveWithinMs` (all when omitted). */
  list<I = Json>(aliveWithinMs?: number): Promise<NodeRecord<I>[]>;
  remove(id: string): Promise<boolean>;
}

export interface Lease {
  name: string;
  holder: string;
  /** Grows on every change of holder: a fencing token. */
  epoch: number;
  acquiredAt: number;
  expiresAt: number;
}

export interface LeaseRepo {
  /** Takes the lease if free, expired or already ours (then renews it); undefined if another holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends our lease; undefined if it is no longer ours (it expired and another took it). */
  renew(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  release(name: string, holder: string): Promise<boolean>;
  get(name: string): Promise<Lease | undefined>;
  list(holder?: string): Promise<Lease[]>;
}

export interface KvRepo {
  get<V = Json>(key: string): Promise<V | undefined>;
  set<V>(key: string, value: V): Promise<void>;
  remove(key: string): Promise<boolean>;
}

// ---------------------------------------------------------------- the store

export interface Repos {
  triggers: TriggerRepo;
  checkpoints: CheckpointRepo;
  inbox: InboxRepo;
  deliveries: DeliveryRepo;
  jobs: JobQueue;
  tokens: TokenRepo;
  connections: ConnectionRepo;
  billing: BillingRepo;
  sync: SyncRepo;
  nodes: NodeRepo;
  leases: LeaseRepo;
  kv: KvRepo;
}

import type { Sealer } from './sealer.ts';

export interface Store extends Repos {
  readonly dialect: Dialect;
  /** Where it lives, without credentials (a file path or a redacted URL). */
  readonly location: string;
  /** Runs fn atomically: everything it does through `tx` commits together or not at all. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /** Migrations applied and pending (readiness: ready when pending is empty). */
  health(): Promise<{ applied: string[]; pending: string[] }>;
  /** The store's clock (epoch ms); injectable for tests. */
  now(): number;
  /**
   * Seals the secrets the store must keep (sealer.ts); undefined on a PostgreSQL store without
   * STRIPE_CONNECTOR_SEAL_KEY, whose users are told so when they store one.
   */
  sealer?: Sealer;
  close(): Promise<void>;
}
