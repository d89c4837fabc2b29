/**
 * The billing routes of consumers and the job queue: subscribe, unsubscribe, change plan, a
 * consumer's subscriptions, invoices and payments; jobs (filtered by integration and status),
 * one job with its attempts, retry, discard; and the queue's changes as server-sent events.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BillingService, JobState } from '../../billing/index.ts';
import { eventStream } from '../event-stream.ts';
import { bearer, errorResponses } from '../schemas.ts';
import { billingTags, nameParams, rows, schemaOf, waitProperty } from './billing-schemas.ts';

const JOB_STATES: JobState[] = ['queued', 'running', 'succeeded', 'failed', 'blocked', 'discarded'];
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const consumerParams = {
  type: 'object',
  required: ['name', 'consumer'],
  properties: { ...nameParams.properties, consumer: { ...text(200), description: "the consumer's id" } },
  additionalProperties: false,
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
  additionalProperties: false,
} as const;
const body = (properties: object, required: string[] = []) => ({
  type: 'object',
  ...(required.length ? { required } : {}),
  properties: { ...properties, wait: waitProperty },
  additionalProperties: false,
});

type Consumer<B = unknown> = FastifyRequest<{ Params: { name: string; consumer: string }; Body: B }>;
type ById = FastifyRequest<{ Params: { id: number }; Body: { wait?: boolean } | undefined }>;

/** 202 while the jobs wait for the runner, 200 once they settled in the request. */
const answer = (reply: { code(n: number): { send(v: unknown): unknown } }, wait: boolean | undefined) =>
  reply.code(wait ? 200 : 202);

export function queueRoutes(app: FastifyInstance, billing: BillingService, intervalMs: number) {
  consumerRoutes(app, billing);
  jobRoutes(app, billing);
  events(app, billing, intervalMs);
}

function consumerRoutes(app: FastifyInstance, billing: BillingService) {
  app.post('/api/billing/integrations/:name/subscriptions', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf(
      'Subscribe a consumer to a plan: customer, card, default card, subscription (four jobs)',
      {
        params: nameParams,
        body: body(
          {
            consumer: text(200),
            plan: text(200),
            email: text(320),
            name: text(200),
            card: { ...text(200), description: 'a PaymentMethod id (pm_card_visa in test mode)' },
            testClock: text(200),
          },
          ['consumer', 'plan'],
        ),
      },
    ),
    handler: async (
      request: FastifyRequest<{
        Params: { name: string };
        Body: { consumer: string; plan: string; wait: boolean; email?: string; card?: string };
      }>,
      reply,
    ) => {
      const out = await billing.subscribe({ ...request.body, integration: request.params.name });
      return answer(reply, request.body.wait || Boolean(out.existing)).send(out);
    },
  });
  app.post('/api/billing/integrations/:name/consumers/:consumer/unsubscribe', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf('Cancel a consumer’s subscription at the period end, or now', {
      params: consumerParams,
      body: body({ plan: text(200), now: { type: 'boolean', default: false } }),
    }),
    handler: async (request: Consumer<{ plan?: string; now: boolean; wait: boolean }>, reply) => {
      const { name, consumer } = request.params;
      const out = await billing.unsubscribe({ ...request.body, integration: name, consumer });
      return answer(reply, request.body.wait).send(out);
    },
  });
  app.post('/api/billing/integrations/:name/consumers/:consumer/change-plan', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf('Move a consumer’s subscription to another plan (prorated as Stripe does)', {
      params: consumerParams,
      body: body({ to: text(200), from: text(200) }, ['to']),
    }),
    handler: async (request: Consumer<{ to: string; from?: string; wait: boolean }>, reply) => {
      const { name, consumer } = request.params;
      const out = await billing.changePlan({ ...request.body, integration: name, consumer });
      return answer(reply, request.body.wait).send(out);
    },
  });
  app.get('/api/billing/integrations/:name/consumers', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('The consumers the integration’s jobs were for', {
      params: nameParams,
      response: { 200: rows, ...errorResponses },
    }),
    handler: async (request: FastifyRequest<{ Params: { name: string } }>) => ({
      data: await billing.consumers(request.params.name),
    }),
  });
  app.get('/api/billing/integrations/:name/consumers/:consumer', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('A consumer’s subscriptions, invoices and payments, as Stripe has them', {
      params: consumerParams,
    }),
    handler: async (request: Consumer) => billing.subscriptions(request.params.name, request.params.consumer),
  });
}

function jobRoutes(app: FastifyInstance, billing: BillingService) {
  app.get('/api/billing/jobs', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('Billing jobs in creation order', {
      querystring: {
        type: 'object',
        properties: {
          integration: nameParams.properties.name,
          status: { type: 'string', enum: JOB_STATES },
          limit: { type: 'integer', minimum: 1, maximum: 1000 },
        },
        additionalProperties: false,
      },
      response: { 200: rows, ...errorResponses },
    }),
    handler: async (
      request: FastifyRequest<{ Querystring: { integration?: string; status?: JobState; limit?: number } }>,
    ) => ({ data: await billing.jobs(request.query) }),
  });
  app.get('/api/billing/jobs/:id', {
    config: { access: 'read', owner: 'server' },
    schema: schemaOf('One job with its attempts', { params: idParams }),
    handler: async (request: ById) => billing.job(request.params.id),
  });
  app.post('/api/billing/jobs/:id/retry', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf('Put a blocked (or discarded) job back in its queue with fresh attempts', {
      params: idParams,
      body: { type: 'object', properties: { wait: waitProperty }, additionalProperties: false },
    }),
    handler: async (request: ById, reply) => {
      const wait = request.body?.wait ?? false;
      return answer(reply, wait).send(await billing.retryJob(request.params.id, { wait }));
    },
  });
  app.post('/api/billing/jobs/:id/discard', {
    config: { access: 'write', owner: 'server' },
    schema: schemaOf('Discard a queued, failed or blocked job (its queue carries on without it)', {
      params: idParams,
    }),
    handler: async (request: ById) => billing.discardJob(request.params.id),
  });
}

/** SSE: `integration` rows (queue status) and `job` rows, each sent again when it changed. */
function events(app: FastifyInstance, billing: BillingService, intervalMs: number) {
  const schema = {
    tags: billingTags,
    summary: 'Queue status and job changes as server-sent events',
    security: bearer,
  };
  eventStream(app, '/api/billing/events', { schema, owner: 'server' }, intervalMs, async (send) => {
    for (const integration of await billing.integrations())
      send('integration', integration.name, integration);
    for (const job of await billing.jobs()) send('job', String(job.id), job);
  });
}
