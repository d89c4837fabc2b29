/**
 * Graceful shutdown: stop accepting, let in-flight requests finish (their answers close their
 * kept-alive sockets), then release gateways and ports. A client that stopped reading a stream
 * would hold the shutdown forever, so after the grace period the remaining connections are cut.
 */
import type { FastifyInstance } from 'fastify';

export function installShutdown(
  app: FastifyInstance,
  graceMs: number,
  release: () => Promise<void>,
): () => Promise<void> {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Without this a kept-alive socket would hold the listener open until its keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', release);
  return async () => {
    const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
  };
}
