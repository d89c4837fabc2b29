/**
 * `POST /webhooks/{connection}`: Stripe's calls for the connection's webhook triggers. No token:
 * the `Stripe-Signature` header is the authentication, verified by the SDK over the raw body
 * (300 s tolerance) against the secrets of the connection's endpoints. Unsigned, stale, tampered
 * and replayed calls get 400 and nothing is stored; a verified event is put into the inbox of
 * every trigger it is for (and the replay guard recorded) in one transaction before the 2xx, and
 * the dispatchers are woken, never waited for. A failed write answers 500, so Stripe retries.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromStripeEvent } from '../../triggers/sources/inbox-event.ts';
import { MAX_WEBHOOK_BYTES, signatureKey } from '../../triggers/sources/listener.ts';
import { routeEvent } from '../../triggers/sources/route.ts';
import { verifyWebhook, WebhookSignatureError } from '../../triggers/sources/webhook.ts';
import type { ServerPlugin } from '../app.ts';
import { errorResponses, nameParam } from '../schemas.ts';
import type { ServerTriggerRunner } from '../trigger-runner.ts';

export interface WebhookCounts {
  /** Per connection and outcome (`stored`, `duplicate`, `refused`). */
  received: Map<string, number>;
}

export function webhookRoutes(runner: ServerTriggerRunner, counts?: WebhookCounts): ServerPlugin {
  const count = (connection: string, outcome: string) => {
    const key = `${connection}\u0000${outcome}`;
    counts?.received.set(key, (counts.received.get(key) ?? 0) + 1);
  };
  return async (app: FastifyInstance) => {
    // This plugin only: the body stays raw bytes, since the signature is over exactly those.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.post('/webhooks/:connection', {
      bodyLimit: MAX_WEBHOOK_BYTES,
      config: { access: 'public' },
      schema: {
        tags: ['triggers'],
        summary: "Stripe's webhook calls for a connection's webhook triggers (signed: Stripe-Signature)",
        params: {
          type: 'object',
          required: ['connection'],
          properties: { connection: nameParam },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              received: { type: 'boolean' },
              id: { type: 'string' },
              stored: { type: 'integer' },
            },
          },
          ...errorResponses,
        },
      },
      handler: async (request: FastifyRequest<{ Params: { connection: string } }>) => {
        const { connection } = request.params;
        const target = runner.webhooks(connection);
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        let event;
        try {
          event = fromStripeEvent(verifyWebhook(body, request.headers, target.secrets), 'webhook');
        } catch (error) {
          if (error instanceof WebhookSignatureError) count(connection, 'refused');
          throw error;
        }
        const key = signatureKey(event.id, request.headers['stripe-signature']);
        const result = await runner.ports.receive(key, routeEvent(event, target.triggers), event);
        if (result.replay) {
          count(connection, 'refused');
          throw new WebhookSignatureError('replay', 'this exact signed request was already received');
        }
        let stored = 0;
        for (const [trigger, inserted] of Object.entries(result.inserted)) {
          stored += inserted.length;
          if (inserted.length) runner.wake(trigger);
        }
        count(connection, stored ? 'stored' : 'duplicate');
        return { received: true, id: event.id, stored };
      },
    });
  };
}
