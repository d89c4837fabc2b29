/**
 * The HTTP server as a library: `createServer` builds it (for `inject()` tests and embedding),
 * `startServer` also listens. The CLI's `serve` and `npm start` call these.
 */
import { createServer, type Server, type ServerOptions } from './app.ts';

export {
  createServer,
  type Server,
  type ServerOptions,
  type ServerPlugin,
  type ServerPluginOptions,
} from './app.ts';
export type { ServerState } from './state.ts';
export { loadServerConfig, parseServerConfig, type ServerConfig, type ServerConfigInput } from './config.ts';
export { createInMemoryPorts, InMemoryConnectionRepo, InMemoryTokenRepo } from './memory.ts';
export type * from './ports.ts';
export { ensureAdminToken, issueToken, TOKEN_PREFIX, type IssuedToken } from './tokens.ts';
export { storePorts } from './store-ports.ts';

export interface RunningServer extends Server {
  /** `http://host:port`. */
  url: string;
}

export interface StartOptions extends ServerOptions {
  /** Override the config's listen address (the CLI's --host / --port). */
  host?: string;
  port?: number;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const server = await createServer(options);
  const host = options.host ?? server.config.listen.host;
  const port = options.port ?? server.config.listen.port;
  try {
    await server.app.listen({ host, port });
  } catch (error) {
    await server.close();
    throw error;
  }
  const address = server.app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { ...server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
