/**
 * A route of server-sent events for the console (the trigger status, the billing queue): every
 * row once, then each row again whenever it changed; ends when the client goes, the server closes
 * or the token is revoked (asked again on every read, so within one interval). `rows` is read every
 * `intervalMs` with the request (whose token decides which rows it may see) and calls
 * `send(event, key, value)` per row: a row whose JSON is the same as last time under that key is not
 * sent again. A failed read is sent as `event: error`.
 */
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { redact } from '../connection/redact.ts';
import { toConnectorError } from '../errors.ts';
import type { Owner } from './auth.ts';

export type Send = (event: string, key: string, value: unknown) => void;

export function eventStream(
  app: FastifyInstance,
  path: string,
  route: { schema: FastifySchema; owner: Owner },
  intervalMs: number,
  rows: (send: Send, request: FastifyRequest) => Promise<void>,
): void {
  const open = new Set<() => void>();
  app.addHook('onClose', async () => {
    for (const end of open) end();
  });
  app.get(path, {
    config: { access: 'read', owner: route.owner },
    schema: route.schema,
    handler: async (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      const last = new Map<string, string>();
      const send: Send = (event, key, value) => {
        const data = JSON.stringify(value);
        if (last.get(`${event}:${key}`) === data) return;
        last.set(`${event}:${key}`, data);
        res.write(`event: ${event}\ndata: ${data}\n\n`);
      };
      let busy = false;
      const tick = async () => {
        if (busy) return;
        busy = true;
        try {
          if (request.tokenStillValid && !(await request.tokenStillValid())) {
            res.write(
              `event: error\ndata: ${JSON.stringify({ code: 'UNAUTHENTICATED', message: 'the API token was revoked' })}\n\n`,
            );
            return end();
          }
          await rows(send, request);
        } catch (error) {
          const message = redact(toConnectorError(error).message);
          res.write(`event: error\ndata: ${JSON.stringify({ message })}\n\n`);
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void tick(), intervalMs);
      const end = () => {
        clearInterval(timer);
        open.delete(end);
        res.end();
      };
      open.add(end);
      request.raw.on('close', end);
      await tick();
    },
  });
}
