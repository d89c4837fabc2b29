/**
 * `POST /webhooks/{connection}`: Stripe's calls for the connection's webhook triggers. No token:
 * the `Stripe-Signature` header is the authentication, verified by the SDK over the raw body
 * (300 s tolerance) against the secrets of the connection's endpoints. Unsigned, stale, tampered
 * and replayed calls get 400 and nothing is stored; a verified event is put into the inbox of
 * every trigger it is for (and the replay guard recorded) in one transaction before the 2xx, and
 * the dispatchers are woken, never waited for. A failed write answers 500, so Stripe retries.
 *
 * The calls are counted per connection only for a configured one: anyone may call any valid name,
 * and a label per name would grow /metrics without bound. The others share `(unknown)`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fromStripeEvent } from '../../triggers/sources/inbox-event.ts';
import { MAX_WEBHOOK_BYTES, signatureKey } from '../../triggers/sources/listener.ts';
import { routeEvent } from '../../triggers/sources/route.ts';
import { verifyWebhook, WebhookSignatureError } from '../../triggers/sources/webhook.ts';
import type { ServerPlugin } from '../app.ts';
import { errorResponses, nameParam } from '../schemas.ts';
import type { WebhookTarget } from '../../triggers/index.ts';
import type { ServerTriggerRunner } from '../trigger-runner.ts';

export interface WebhookCounts {
  /** Per configured connection (else UNKNOWN_CONNECTION) and outcome (`stored`, `duplicate`, `refused`). */
  received: Map<string, number>;
}

/** The one label of every connection name that is not configured. */
export const UNKNOWN_CONNECTION = '(unknown)';

export function webhookRoutes(runner: ServerTriggerRunner, counts?: WebhookCounts): ServerPlugin {
  return async (app: FastifyInstance, { state }) => {
    // A name with a webhook target is configured; otherwise the store says (a refused call only;
    // a store that fails to say must not turn the 400 into a 500).
    const configured = (connection: string) =>
      state.ports.connections.get(connection).then(Boolean, () => false);
    const label = async (connection: string, target: WebhookTarget) =>
      target.secrets.length || target.triggers.length || (await configured(connection))
        ? connection
        : UNKNOWN_CONNECTION;
    const count = async (connection: string, target: WebhookTarget, outcome: string) => {
      if (!counts) return;
      const key = `${await label(connection, target)}\u0000${outcome}`;
      counts.received.set(key, (counts.received.get(key) ?? 0) + 1);
    };
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
          if (error instanceof WebhookSignatureError) await count(connection, target, 'refused');
          throw error;
        }
        const key = signatureKey(event.id, request.headers['stripe-signature']);
        const result = await runner.ports.receive(key, routeEvent(event, target.triggers), event);
        if (result.replay) {
          await count(connection, target, 'refused');
          throw new WebhookSignatureError('replay', 'this exact signed request was already received');
        }
        let stored = 0;
        for (const [trigger, inserted] of Object.entries(result.inserted)) {
          stored += inserted.length;
          if (inserted.length) runner.wake(trigger);
        }
        await count(connection, target, stored ? 'stored' : 'duplicate');
        return { received: true, id: event.id, stored };
      },
    });
  };
}
