/** A server on in-memory ports with one connection (`demo`) to a fresh emulator, and tokens of each kind. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import {
  createServer,
  issueToken,
  startServer,
  type RunningServer,
  type Server,
  type ServerConfigInput,
} from '../../src/server/index.ts';

export const API_KEY = 'sk_test_serverkey123';

export interface ServerEnv {
  emulator: Emulator;
  server: Server;
  /** Every log line the server wrote. */
  logs: string[];
  tokens: { admin: string; read: string; write: string; other: string };
  /** Authorization header for a token. */
  auth(token: string): { authorization: string };
}

export function useServer(extra: Partial<ServerConfigInput> = {}): ServerEnv {
  const env = { logs: [] as string[] } as ServerEnv;
  beforeAll(async () => {
    env.emulator = await startEmulator({ port: 0, randomSeed: 7 });
    const stream = new Writable({
      write(chunk, _enc, done) {
        env.logs.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    env.server = await createServer({
      config: {
        connections: [
          {
            name: 'demo',
            apiKey: 'env:SERVER_TEST_KEY',
            baseUrl: env.emulator.url,
            logging: { verbosity: 3 },
          },
        ],
        // What clients may name: the test key's variable, the emulator.
        api: { secrets: { env: ['SERVER_TEST_'] }, baseUrls: [env.emulator.url] },
        ...extra,
      },
      env: { SERVER_TEST_KEY: API_KEY },
      log: { level: 'trace', stream },
      gatewayOptions: { backoff: { baseMs: 1, maxMs: 5 } },
    });
    const tokens = env.server.ports.tokens;
    env.tokens = {
      admin: (await issueToken(tokens, { scopes: ['admin'], label: 'admin' })).token,
      read: (await issueToken(tokens, { scopes: ['read'], label: 'reader' })).token,
      write: (await issueToken(tokens, { scopes: ['write'], label: 'writer' })).token,
      other: (await issueToken(tokens, { scopes: ['admin'], connections: ['other'], label: 'other only' }))
        .token,
    };
  });
  afterAll(async () => {
    await env.server?.close();
    await env.emulator?.close();
  });
  env.auth = (token) => ({ authorization: `Bearer ${token}` });
  return env;
}

export interface Listening {
  emulator: Emulator;
  server: RunningServer;
  /** Authorization header of a read token. */
  headers: { authorization: string };
  close(): Promise<void>;
}

/** A fresh emulator with `customers` and a listening server with connection `big` to it. */
export async function listening(
  customers: Array<Record<string, unknown>>,
  shutdownGraceMs: number,
): Promise<Listening> {
  const emulator = await startEmulator({ port: 0 });
  emulator.load('customer', customers);
  const server = await startServer({
    port: 0,
    config: { connections: [{ name: 'big', apiKey: 'env:K', baseUrl: emulator.url }] },
    env: { K: API_KEY },
    log: { level: 'silent' },
    shutdownGraceMs,
  });
  const { token } = await issueToken(server.ports.tokens, { scopes: ['read'] });
  return {
    emulator,
    server,
    headers: { authorization: `Bearer ${token}` },
    async close() {
      await server.close();
      await emulator.close();
    },
  };
}
