/**
 * `plan` and `apply`: a catalog's plan file against each attached integration's Stripe account.
 * `plan` answers the changes; `apply` enqueues each as one job in that integration's queue (keys
 * derived from the plan, so a second apply, or one resumed after a crash, makes no new job for
 * work already queued or done) and remembers the file as the catalog's plans.
 */
import { ConnectorError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { getCatalog } from './catalogs.ts';
import { diffCatalog, type Change } from './diff.ts';
import type { GatewayPool } from './gateways.ts';
import type { ChangePayload } from './jobs.ts';
import { loadPlanFile, parsePlanFile, type PlanFile } from './plan-file.ts';
import { readCatalogState } from './stripe-state.ts';
import { viewJob, type JobView } from './views.ts';

export interface RetrySchedule {
  /** Attempts in all (IBM: 6, i.e. 5 retries). */
  maxAttempts?: number;
  /** First retry after this, doubling (default 2.5 min). */
  backoffMs?: number;
  backoffMaxMs?: number;
}

export interface PlanSource {
  catalog: string;
  /** A plan file's path, or the plan already parsed (the server's request body). */
  file?: string;
  plan?: unknown;
}

export interface ChangeView {
  kind: Change['kind'];
  summary: string;
  key: string;
}

export interface IntegrationChanges {
  integration: string;
  changes: ChangeView[];
  jobs?: JobView[];
}

export const planKvKey = (catalog: string) => `billing:plan:${catalog}`;

export function readPlan(source: PlanSource): PlanFile {
  if (source.file) return loadPlanFile(source.file);
  if (source.plan !== undefined) return parsePlanFile(source.plan, `for catalog ${source.catalog}`, 'plan');
  throw new ConnectorError('MISSING_FIELD', 'give a plan file', { field: 'file' });
}

async function diffAll(store: Store, pool: GatewayPool, source: PlanSource) {
  const file = readPlan(source);
  const catalog = await getCatalog(store, source.catalog);
  if (!catalog.integrations.length) {
    throw new ConnectorError('INVALID_ARGUMENT', `catalog ${catalog.name} has no integration to apply to`, {
      field: 'catalog',
      hint: `attach one: billing catalog attach ${catalog.name} <integration>`,
    });
  }
  const out: Array<{ integration: string; changes: Change[] }> = [];
  for (const integration of catalog.integrations) {
    const state = await readCatalogState(await pool.get(integration), catalog.name);
    out.push({ integration, changes: diffCatalog(catalog.name, file, state) });
  }
  return { file, catalog: catalog.name, diffs: out };
}

const viewChange = (integration: string, c: Change): ChangeView => ({
  kind: c.kind,
  summary: c.summary,
  key: `${integration}:${c.key}`,
});

export async function planCatalog(store: Store, pool: GatewayPool, source: PlanSource) {
  const { catalog, diffs } = await diffAll(store, pool, source);
  return {
    catalog,
    integrations: diffs.map((d) => ({
      integration: d.integration,
      changes: d.changes.map((c) => viewChange(d.integration, c)),
    })),
  };
}

/** Enqueues the changes; answers them with their jobs (not yet run). */
export async function enqueueCatalog(
  store: Store,
  pool: GatewayPool,
  source: PlanSource,
  retry: RetrySchedule,
): Promise<{ catalog: string; integrations: IntegrationChanges[] }> {
  const { file, catalog, diffs } = await diffAll(store, pool, source);
  const integrations: IntegrationChanges[] = [];
  for (const { integration, changes } of diffs) {
    const jobs: JobView[] = [];
    for (const change of changes) {
      const payload: ChangePayload = {
        type: 'change',
        catalog,
        summary: change.summary,
        request: change.request,
        ...(change.guard ? { guard: change.guard } : {}),
      };
      const { job } = await store.billing.enqueue({
        integration,
        kind: change.kind,
        key: `${integration}:${change.key}`,
        payload,
        ...retry,
      });
      jobs.push(viewJob(job));
    }
    integrations.push({ integration, changes: changes.map((c) => viewChange(integration, c)), jobs });
  }
  await store.kv.set(planKvKey(catalog), file);
  return { catalog, integrations };
}
