/** Liveness, readiness (the store answers) and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import { renderMetrics } from '../metrics.ts';
import type { ServerState } from '../state.ts';
import { bearer, errorResponses } from '../schemas.ts';

const status = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' }, detail: { type: 'string' } },
} as const;

export function healthRoutes(state: ServerState) {
  return async (app: FastifyInstance) => {
    const tags = ['service'];
    app.get('/healthz', {
      config: { access: 'public', rateLimit: false },
      schema: { tags, summary: 'The process is up', response: { 200: status } },
      handler: async () => ({ status: 'ok' }),
    });

    app.get('/readyz', {
      config: { access: 'public', rateLimit: false },
      schema: {
        tags,
        summary: 'The store is reachable and migrated',
        response: { 200: status, 503: status },
      },
      handler: async (_request, reply) => {
        let ready;
        try {
          ready = await state.ports.ready();
        } catch (error) {
          ready = { ok: false, detail: `readiness check failed: ${(error as Error).message}` };
        }
        return reply
          .code(ready.ok ? 200 : 503)
          .send({ status: ready.ok ? 'ready' : 'not ready', detail: ready.detail });
      },
    });

    app.get('/metrics', {
      config: { access: 'read', owner: 'server' },
      schema: {
        tags,
        summary:
          'Prometheus metrics: requests, Stripe calls, retries, throttle waits, trigger lag and deliveries',
        security: bearer,
        response: {
          200: {
            description: 'Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
      handler: async (_request, reply) => {
        const more = await Promise.all(state.metricSources.map((source) => source()));
        return reply
          .type('text/plain; version=0.0.4; charset=utf-8')
          .send(renderMetrics(state.metrics, state.registry.stats()) + more.join(''));
      },
    });
  };
}
