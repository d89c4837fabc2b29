/**
 * Billing over HTTP: the BillingService (src/billing) on the server's store — integrations (admin:
 * they hold key references), catalogs, plan diffs and applies, consumers' subscriptions, the job
 * queue and a stream of its changes for the console (billing-queue.ts). Changes to Stripe are
 * enqueued and answered with 202 and the jobs: the server's billing runner works them off; with
 * `wait: true` the request runs them itself and answers when they settled.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BillingService, CATALOG_KINDS, type RetrySchedule } from '../../billing/index.ts';
import type { Store } from '../../store/types.ts';
import type { ServerPlugin } from '../app.ts';
import { checkClientReach, clientSecretsDir, integrationReach } from '../../connection/grants.ts';
import { errorResponses } from '../schemas.ts';
import {
  name,
  nameParams,
  plan,
  planBody,
  reference,
  rows,
  schemaOf,
  waitProperty,
} from './billing-schemas.ts';
import { queueRoutes } from './billing-queue.ts';

export interface BillingRoutesOptions {
  store: Store;
  /** Retries of the jobs these routes enqueue (default IBM's: 6 attempts over ≈ 77 min). */
  retry?: RetrySchedule;
  /** How often the event stream looks for changed jobs (default 1 s). */
  streamIntervalMs?: number;
}

type Named<B = unknown> = FastifyRequest<{ Params: { name: string }; Body: B }>;

export function billingRoutes(opts: BillingRoutesOptions): ServerPlugin {
  return async (app, { state }) => {
    const billing = new BillingService({
      store: opts.store,
      env: state.env,
      baseDir: clientSecretsDir(state.config.api, state.config.baseDir, state.baseDir),
      ...(opts.retry ? { retry: opts.retry } : {}),
    });
    app.addHook('onClose', () => billing.close());
    // An integration's keys and Stripe address: only what the operator granted clients.
    const checkReach = (keys: { publishableKey?: string; secretKey?: string; baseUrl?: string }) =>
      checkClientReach(integrationReach(keys), state.config.api, state.config.baseDir);
    integrationRoutes(app, billing, checkReach);
    catalogRoutes(app, billing);
    queueRoutes(app, billing, opts.streamIntervalMs ?? 1000);
  };
}

function integrationRoutes(
  app: FastifyInstance,
  billing: BillingService,
  checkReach: (keys: { publishableKey?: string; secretKey?: string; baseUrl?: string }) => void,
) {
  app.get('/api/billing/integrations', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('Every integration with its catalogs and queue status', {
      response: { 200: rows, ...errorResponses },
    }),
    handler: async () => ({ data: await billing.integrations() }),
  });
  app.post('/api/billing/integrations', {
    config: { access: 'admin', owner: 'server' },
    schema: schemaOf('Add an integration: Stripe says which account and mode its two keys belong to', {
      body: {
        type: 'object',
        required: ['title', 'publishableKey', 'secretKey'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 200 },
          name,
          publishableKey: reference,
          secretKey: reference,
          baseUrl: { type: 'string', minLength: 1, maxLength: 500 },
        },
        additionalProperties: false,
      },
    }),
    handler: async (
      request: FastifyRequest<{
        Body: { title: string; name?: string; publishableKey: string; secretKey: string; baseUrl?: string };
      }>,
      reply,
    ) => {
      checkReach(request.body);
      return reply.code(201).send(await billing.addIntegration(request.body));
    },
  });
  app.get('/api/billing/integrations/:name', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('One integration (key references only) with its queue status', { params: nameParams }),
    handler: async (request: Named) => billing.integration(request.params.name),
  });
  app.put('/api/billing/integrations/:name/keys', {
    config: { access: 'admin', owner: 'server' },
    schema: schemaOf('New keys, taken only if Stripe says they are of the same account and mode', {
      params: nameParams,
      body: {
        type: 'object',
        minProperties: 1,
        properties: { publishableKey: reference, secretKey: reference },
        additionalProperties: false,
      },
    }),
    handler: async (request: Named<{ publishableKey?: string; secretKey?: string }>) => {
      checkReach(request.body);
      return billing.updateKeys(request.params.name, request.body);
    },
  });
  app.delete('/api/billing/integrations/:name', {
    config: { access: 'admin', owner: 'server' },
    schema: schemaOf('Remove an integration (its unfinished jobs are discarded)', { params: nameParams }),
    handler: async (request: Named) => billing.removeIntegration(request.params.name),
  });
}

function catalogRoutes(app: FastifyInstance, billing: BillingService) {
  app.get('/api/billing/catalogs', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('Every catalog with its kind and integrations', {
      response: { 200: rows, ...errorResponses },
    }),
    handler: async () => ({ data: await billing.catalogs() }),
  });
  app.post('/api/billing/catalogs', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf('Add a catalog: sandbox (test keys) or production (live keys)', {
      body: {
        type: 'object',
        required: ['name', 'kind'],
        properties: { name, kind: { type: 'string', enum: [...CATALOG_KINDS] } },
        additionalProperties: false,
      },
    }),
    handler: async (request: FastifyRequest<{ Body: { name: string; kind: string } }>, reply) =>
      reply.code(201).send(await billing.addCatalog(request.body.name, request.body.kind)),
  });
  app.post('/api/billing/catalogs/:name/integrations', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf('Attach an integration to the catalog (its keys must fit the catalog kind)', {
      params: nameParams,
      body: {
        type: 'object',
        required: ['integration'],
        properties: { integration: name },
        additionalProperties: false,
      },
    }),
    handler: async (request: Named<{ integration: string }>) => {
      await billing.attach(request.params.name, request.body.integration);
      return billing.catalog(request.params.name);
    },
  });
  const planBodySchema = (withWait: boolean) => ({
    type: 'object',
    required: ['plan'],
    properties: { plan, ...(withWait ? { wait: waitProperty } : {}) },
    additionalProperties: false,
  });
  app.post('/api/billing/catalogs/:name/plan', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('What applying the plan file would change in each attached integration', {
      params: nameParams,
      body: planBodySchema(false),
    }),
    handler: async (request: Named<{ plan: unknown }>) =>
      billing.plan({ catalog: request.params.name, plan: planBody(request.body.plan) }),
  });
  app.post('/api/billing/catalogs/:name/apply', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf('Apply the plan file: its changes enqueued as jobs, one queue per integration', {
      params: nameParams,
      body: planBodySchema(true),
    }),
    handler: async (request: Named<{ plan: unknown; wait: boolean }>, reply) => {
      const { wait } = request.body;
      const out = await billing.apply({
        catalog: request.params.name,
        plan: planBody(request.body.plan),
        wait,
      });
      return reply.code(wait ? 200 : 202).send(out);
    },
  });
}
