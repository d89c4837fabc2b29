/** Actions on a connection: a JSON payload in, Stripe's answer (or the seed's shape) out; files as files. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runAction, type ActionFile } from '../../actions/index.ts';
import type { Shape } from '../../entities/index.ts';
import type { ServerState } from '../state.ts';
import {
  anyObject,
  bearer,
  errorResponses,
  idempotencyHeaders,
  writeOptions,
  nameParam,
  shapeQuery,
} from '../schemas.ts';

export function isFile(value: unknown): value is ActionFile {
  return Boolean(value && typeof value === 'object' && Buffer.isBuffer((value as ActionFile).body));
}

export function actionRoutes(state: ServerState) {
  return async (app: FastifyInstance) => {
    app.post('/api/connections/:name/actions/:action', {
      config: { access: 'write', owner: 'connection' },
      schema: {
        tags: ['actions'],
        summary: 'Run an action (ConfirmPaymentIntent, AttachPaymentMethodToCustomer, PdfQuote, …)',
        security: bearer,
        params: {
          type: 'object',
          required: ['name', 'action'],
          properties: { name: nameParam, action: { type: 'string', minLength: 1, maxLength: 100 } },
          additionalProperties: false,
        },
        querystring: shapeQuery,
        headers: idempotencyHeaders,
        body: anyObject,
        response: {
          200: {
            description: "Stripe's JSON (native), the seed's rows (seed), or the file itself (PdfQuote)",
            content: {
              'application/json': { schema: {} },
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...errorResponses,
        },
      },
      handler: async (
        request: FastifyRequest<{
          Params: { name: string; action: string };
          Body: Record<string, unknown>;
          Querystring: { shape: Shape };
        }>,
        reply,
      ) => {
        const ctx = await state.registry.context(request.params.name);
        const result = await runAction(ctx, request.params.action, request.body ?? {}, writeOptions(request));
        if (isFile(result))
          return reply
            .type(result.contentType)
            .header('content-length', result.body.length)
            .send(result.body);
        return reply.type('application/json').send(result);
      },
    });
  };
}
