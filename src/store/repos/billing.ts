/**
 * Billing integrations, catalogs and the billing job queue: jobs in the `billing` queue grouped by
 * integration, ordered and held by a blocked (dead) job, so each integration runs one job at a
 * time in creation order on any number of workers (IBM's behaviour).
 */
import type { Selectable } from 'kysely';
import type { BillingIntegrationsTable } from '../schema.ts';
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { BillingCatalog, BillingIntegration, BillingRepo, JobQueue } from '../types.ts';
import { refuseLiteralSecrets } from './named.ts';

export const BILLING_QUEUE = 'billing';

export function billingRepo(ctx: RepoContext, jobs: JobQueue): BillingRepo {
  const { db, now } = ctx;
  const toIntegration = <D>(r: Selectable<BillingIntegrationsTable>): BillingIntegration<D> => ({
    name: r.name,
    title: r.title,
    definition: fromJson<D>(r.definition),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  const catalogs = async (name?: string): Promise<BillingCatalog[]> => {
    const rows = await db
      .selectFrom('billing_catalogs')
      .selectAll()
      .$if(name !== undefined, (qb) => qb.where('name', '=', name!))
      .orderBy('name')
      .execute();
    const links = await db
      .selectFrom('billing_catalog_integrations')
      .selectAll()
      .orderBy('integration')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      kind: r.kind,
      createdAt: r.created_at,
      integrations: links.filter((l) => l.catalog === r.name).map((l) => l.integration),
    }));
  };
  return {
    async putIntegration(name, title, definition) {
      refuseLiteralSecrets(definition, '');
      const t = now();
      const json = toJson(definition);
      const row = await db
        .insertInto('billing_integrations')
        .values({ name, title, definition: json, created_at: t, updated_at: t })
        .onConflict((oc) => oc.column('name').doUpdateSet({ title, definition: json, updated_at: t }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toIntegration(row);
    },
    async getIntegration(name) {
      const r = await db
        .selectFrom('billing_integrations')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return r && toIntegration(r);
    },
    async listIntegrations() {
      return (await db.selectFrom('billing_integrations').selectAll().orderBy('name').execute()).map((r) =>
        toIntegration(r),
      );
    },
    removeIntegration: (name) =>
      ctx.atomic(async (tx) => {
        await tx.deleteFrom('billing_catalog_integrations').where('integration', '=', name).execute();
        const r = await tx.deleteFrom('billing_integrations').where('name', '=', name).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      }),
    async putCatalog(name, kind) {
      await db
        .insertInto('billing_catalogs')
        .values({ name, kind, created_at: now() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ kind }))
        .execute();
      return (await catalogs(name))[0]!;
    },
    getCatalog: async (name) => (await catalogs(name))[0],
    listCatalogs: () => catalogs(),
    async attach(catalog, integration) {
      await db
        .insertInto('billing_catalog_integrations')
        .values({ catalog, integration })
        .onConflict((oc) => oc.columns(['catalog', 'integration']).doNothing())
        .execute();
    },
    async detach(catalog, integration) {
      await db
        .deleteFrom('billing_catalog_integrations')
        .where('catalog', '=', catalog)
        .where('integration', '=', integration)
        .execute();
    },
    enqueue: (input) =>
      jobs.enqueue({
        queue: BILLING_QUEUE,
        group: input.integration,
        kind: input.kind,
        key: input.key,
        payload: input.payload,
        ordered: true,
        holdOnDead: true,
        maxAttempts: input.maxAttempts ?? 6,
        // IBM: 5 retries over about 70 minutes: 2.5, 5, 10, 20, 40 min ≈ 77 min.
        backoffMs: input.backoffMs ?? 150_000,
        backoffMaxMs: input.backoffMaxMs ?? 2_400_000,
      }),
    claim: ({ integrations, ...opts }) => jobs.claim({ ...opts, queue: BILLING_QUEUE, groups: integrations }),
    complete: (id, worker, result) => jobs.complete(id, worker, result),
    fail: (id, worker, opts) => jobs.fail(id, worker, opts),
    retry: (id) => jobs.retry(id),
    discard: (id) => jobs.discard(id),
    jobs: (opts = {}) =>
      jobs.list({ queue: BILLING_QUEUE, group: opts.integration, status: opts.status, limit: opts.limit }),
    counts: (integration) => jobs.counts(BILLING_QUEUE, integration),
  };
}
