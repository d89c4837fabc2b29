/**
 * The billing library API: everything the CLI, the server and the console do with billing goes
 * through one BillingService over a Store. Methods that change Stripe enqueue jobs; with `wait`
 * (the default) they also run them in this process and answer when they are finished, or when one
 * failed (it is then retried with backoff by whichever worker runs next, then blocked).
 */
import type { Gateway, GatewayOptions } from '../gateway/index.ts';
import type { Job, Store } from '../store/index.ts';
import { ConnectorError } from '../errors.ts';
import {
  enqueueCatalog,
  planCatalog,
  type IntegrationChanges,
  type PlanSource,
  type RetrySchedule,
} from './apply.ts';
import { addCatalog, attachIntegration, detachIntegration, getCatalog } from './catalogs.ts';
import { GatewayPool } from './gateways.ts';
import {
  addIntegration,
  getIntegration,
  removeIntegration,
  updateIntegrationKeys,
  viewIntegration,
  type AddIntegrationInput,
  type IntegrationView,
} from './integrations.ts';
import type { BillingJobPayload } from './jobs.ts';
import type { KeyReferences } from './keys.ts';
import { consumerOverview } from './overview.ts';
import {
  enqueueChangePlan,
  enqueueSubscribe,
  enqueueUnsubscribe,
  type ChangePlanInput,
  type SubscribeInput,
  type UnsubscribeInput,
} from './subscribe.ts';
import {
  queueStatus,
  storeStatuses,
  viewJob,
  type JobState,
  type JobView,
  type QueueStatus,
} from './views.ts';
import { sleepUnless } from '../lifecycle.ts';
import { BillingWorker, type WorkerEvent } from './worker.ts';

export interface BillingServiceOptions {
  store: Store;
  /** Where env: references are read (default process.env); STRIPE_API_BASE too. */
  env?: Record<string, string | undefined>;
  /** Where relative file: references are read from (default the working directory). */
  baseDir?: string;
  gateway?: GatewayOptions;
  /** New jobs' retries (default IBM's: 6 attempts, 2.5 min doubling, ≈ 77 min in all). */
  retry?: RetrySchedule;
  /** Claim lease (default 30 s) and idle poll (default 1 s) of the workers this service makes. */
  leaseMs?: number;
  idleMs?: number;
  onEvent?: (event: WorkerEvent) => void;
}

export interface WaitOptions {
  /** Run the jobs here and wait for them (default true); false only enqueues. */
  wait?: boolean;
  signal?: AbortSignal;
}

export interface JobsOutcome {
  jobs: JobView[];
  /** Every job succeeded (false while some are queued: with wait false, or after a failure). */
  ok: boolean;
  /** An earlier blocked job of the queue that holds these: retry or discard it first. */
  blockedBy?: JobView;
}

export interface IntegrationStatus extends IntegrationView {
  queue: QueueStatus;
}

const FINISHED = new Set(['succeeded', 'dead', 'discarded']);

export class BillingService {
  readonly store: Store;
  readonly gateways: GatewayPool;
  private readonly retry: RetrySchedule;
  private readonly options: BillingServiceOptions;
  private readonly runner: BillingWorker;

  constructor(options: BillingServiceOptions) {
    this.options = options;
    this.store = options.store;
    this.retry = options.retry ?? {};
    this.gateways = new GatewayPool(options.store, {
      env: options.env ?? process.env,
      baseDir: options.baseDir ?? process.cwd(),
      ...(options.gateway ? { gateway: options.gateway } : {}),
    });
    this.runner = this.worker();
  }

  private get keys() {
    return {
      env: this.options.env ?? process.env,
      baseDir: this.options.baseDir ?? process.cwd(),
      ...(this.options.gateway ? { gateway: this.options.gateway } : {}),
    };
  }

  // ------------------------------------------------------------ integrations and catalogs

  addIntegration = (input: AddIntegrationInput) => addIntegration(this.store, input, this.keys);
  updateKeys = (name: string, keys: Partial<KeyReferences>) =>
    updateIntegrationKeys(this.store, name, keys, this.keys);
  removeIntegration = (name: string) => removeIntegration(this.store, name);
  async integration(name: string): Promise<IntegrationStatus> {
    const view = await viewIntegration(this.store, await getIntegration(this.store, name));
    return { ...view, queue: await queueStatus(this.store, name) };
  }
  /** The dashboard's table: every integration with its catalogs and queue status. */
  async integrations(): Promise<IntegrationStatus[]> {
    const out: IntegrationStatus[] = [];
    for (const record of await this.store.billing.listIntegrations())
      out.push(await this.integration(record.name));
    return out;
  }
  addCatalog = (name: string, kind: string) => addCatalog(this.store, name, kind);
  catalog = (name: string) => getCatalog(this.store, name);
  catalogs = () => this.store.billing.listCatalogs();
  attach = (catalog: string, integration: string) => attachIntegration(this.store, catalog, integration);
  detach = (catalog: string, integration: string) => detachIntegration(this.store, catalog, integration);

  // ------------------------------------------------------------ plans

  /** What applying the plan would change in each attached integration's Stripe account. */
  plan = (source: PlanSource) => planCatalog(this.store, this.gateways, source);

  async apply(
    source: PlanSource & WaitOptions,
  ): Promise<{ catalog: string; integrations: IntegrationChanges[]; ok: boolean }> {
    const queued = await enqueueCatalog(this.store, this.gateways, source, this.retry);
    const ids = queued.integrations.flatMap((i) => i.jobs!.map((j) => j.id));
    const done = await this.settle(
      ids,
      queued.integrations.map((i) => i.integration),
      source,
    );
    const byId = new Map(done.jobs.map((j) => [j.id, j]));
    return {
      catalog: queued.catalog,
      integrations: queued.integrations.map((i) => ({ ...i, jobs: i.jobs!.map((j) => byId.get(j.id) ?? j) })),
      ok: done.ok,
    };
  }

  // ------------------------------------------------------------ subscriptions

  async subscribe(
    input: SubscribeInput & WaitOptions,
  ): Promise<JobsOutcome & { existing?: string; subscription?: unknown }> {
    const { jobs, existing } = await enqueueSubscribe(
      this.store,
      await this.gateways.get(input.integration),
      input,
      this.retry,
    );
    if (existing) return { jobs: [], ok: true, existing };
    const done = await this.settle(
      jobs.map((j) => j.id),
      [input.integration],
      input,
    );
    return { ...done, subscription: done.jobs.at(-1)?.result ?? undefined };
  }
  unsubscribe = (input: UnsubscribeInput & WaitOptions) => this.consumerChange(enqueueUnsubscribe, input);
  changePlan = (input: ChangePlanInput & WaitOptions) => this.consumerChange(enqueueChangePlan, input);
  /** One consumer change: enqueued with the integration's gateway, then settled. */
  private async consumerChange<I extends { integration: string } & WaitOptions>(
    enqueue: (store: Store, gateway: Gateway, input: I, retry: RetrySchedule) => Promise<{ jobs: JobView[] }>,
    input: I,
  ): Promise<JobsOutcome> {
    const { jobs } = await enqueue(this.store, await this.gateways.get(input.integration), input, this.retry);
    return this.settle(
      jobs.map((j) => j.id),
      [input.integration],
      input,
    );
  }
  /** The consumers this integration's jobs were for, in the order they first appeared. */
  async consumers(integration: string): Promise<Array<{ consumer: string; email: string | null }>> {
    await getIntegration(this.store, integration);
    const seen = new Map<string, string | null>();
    for (const job of await this.store.billing.jobs<BillingJobPayload>({ integration })) {
      const p = job.payload;
      if (p?.type === 'consumer' && (!seen.has(p.consumer) || (p.email && !seen.get(p.consumer))))
        seen.set(p.consumer, p.email ?? null);
    }
    return [...seen].map(([consumer, email]) => ({ consumer, email }));
  }
  async subscriptions(integration: string, consumer: string) {
    return consumerOverview(await this.gateways.get(integration), this.store, integration, consumer);
  }

  // ------------------------------------------------------------ jobs

  async jobs(opts: { integration?: string; status?: JobState; limit?: number } = {}): Promise<JobView[]> {
    if (opts.integration) await getIntegration(this.store, opts.integration);
    const rows = await this.store.billing.jobs<BillingJobPayload>({
      ...(opts.integration ? { integration: opts.integration } : {}),
      ...(opts.status ? { status: storeStatuses(opts.status) } : {}),
      ...(opts.limit ? { limit: opts.limit } : {}),
    });
    return rows.map(viewJob).filter((j) => !opts.status || j.status === opts.status);
  }
  async job(id: number): Promise<JobView> {
    const job = await this.store.jobs.get<BillingJobPayload>(id);
    if (!job || job.queue !== 'billing')
      throw new ConnectorError('NOT_FOUND', `no billing job ${id}`, { field: 'id' });
    return { ...viewJob(job), attemptLog: await this.store.jobs.attempts(id) };
  }
  /** A blocked (or discarded) job back in its queue with fresh attempts; with wait, run until it settles. */
  async retryJob(id: number, opts: WaitOptions = {}): Promise<JobsOutcome> {
    const job = await this.job(id);
    if (!(await this.store.billing.retry(id)))
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `job ${id} is ${job.status}: only blocked or discarded jobs can be retried`,
        { field: 'id' },
      );
    return this.settle([id], [job.integration], opts);
  }
  async discardJob(id: number): Promise<JobView> {
    const job = await this.job(id);
    if (!(await this.store.billing.discard(id)))
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `job ${id} is ${job.status}: only queued, failed or blocked jobs can be discarded`,
        { field: 'id' },
      );
    return this.job(id);
  }

  // ------------------------------------------------------------ workers

  /** A worker for a long-running process (the server): start/stop it with the lifecycle. */
  worker(): BillingWorker {
    return new BillingWorker({
      store: this.store,
      gateways: this.gateways,
      ...(this.options.leaseMs ? { leaseMs: this.options.leaseMs } : {}),
      ...(this.options.idleMs ? { idleMs: this.options.idleMs } : {}),
      ...(this.options.onEvent ? { onEvent: this.options.onEvent } : {}),
    });
  }

  /**
   * Runs jobs of these integrations here until the given ones are finished, or one failed (its
   * retry is due later: a worker takes it then). A job another process holds is waited for; if
   * that process died, its lease runs out and the job runs here.
   */
  async settle(ids: number[], integrations: string[], opts: WaitOptions = {}): Promise<JobsOutcome> {
    const read = async () =>
      (await Promise.all(ids.map((id) => this.store.jobs.get<BillingJobPayload>(id)))).filter(
        (j): j is Job<BillingJobPayload> => !!j,
      );
    let jobs = await read();
    let blockedBy: JobView | undefined;
    while (opts.wait !== false && !opts.signal?.aborted) {
      if (
        jobs.every((j) => FINISHED.has(j.status)) ||
        jobs.some((j) => j.status === 'dead' || (j.status === 'queued' && j.attempts > 0))
      )
        break;
      const ran = await this.runner.runOnce(integrations);
      jobs = await read();
      if (ran) continue;
      blockedBy = await this.blocker(jobs);
      if (blockedBy) break;
      await sleepUnless(this.options.idleMs ?? 200, opts.signal);
    }
    const views = jobs.map(viewJob);
    return {
      jobs: views,
      ok: views.every((j) => j.status === 'succeeded'),
      ...(blockedBy ? { blockedBy } : {}),
    };
  }

  /** An earlier blocked job holding the queue of one of these unfinished jobs: they wait for its retry or discard. */
  private async blocker(jobs: Job[]): Promise<JobView | undefined> {
    for (const job of jobs.filter((j) => j.status === 'queued')) {
      const dead = await this.store.billing.jobs<BillingJobPayload>({
        integration: job.group,
        status: 'dead',
      });
      const first = dead.find((d) => d.id < job.id);
      if (first) return viewJob(first);
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.gateways.close();
  }
}
