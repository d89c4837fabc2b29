/**
 * A served server (startService on SQLite, the emulator as Stripe) as an attacker meets it: two
 * connections (`demo`, `shop`), a trigger on each made by the operator, operator destinations, and
 * tokens of every scope — unlimited, limited to `other` (a connection that is not here), and
 * limited to `demo`. `probe` is a listener that records every request it gets: a network target an
 * attack might make the server call.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { issueToken } from '../../src/server/index.ts';
import { startService, type StartedService, type ServiceOptions } from '../../src/server/service.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { freePort } from '../triggers/support/processes.ts';

export const SHOP_KEY = 'sk_test_shopsecretvalue42';
export const DEMO_KEY = 'sk_test_demosecretvalue42';
export const LEAKED_KEY = 'sk_live_leakedbyacommand99';

export type TokenName =
  'read' | 'write' | 'admin' | 'otherRead' | 'otherWrite' | 'otherAdmin' | 'demoRead' | 'demoAdmin';

export interface Attack {
  emulator: Emulator;
  service: StartedService;
  dir: string;
  tokens: Record<TokenName, string>;
  /** Ids of the tokens, for revocation. */
  tokenIds: Record<TokenName, string>;
  probe: { url: string; requests: string[] };
  call(opts: InjectOptions, token?: TokenName): Promise<LightMyRequestResponse>;
}

export function useAttackedServer(extra: Partial<ServiceOptions> = {}): Attack {
  const env = {} as Attack;
  let probe: HttpServer;
  beforeAll(async () => {
    env.dir = mkdtempSync(join(tmpdir(), 'security-'));
    env.emulator = await startEmulator({ port: 0, randomSeed: 11 });
    const requests: string[] = [];
    probe = createHttpServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    env.probe = { url: `http://127.0.0.1:${(probe.address() as { port: number }).port}`, requests };
    env.service = await startService({
      host: '127.0.0.1',
      port: await freePort(),
      dataDir: join(env.dir, 'data'),
      connections: [
        { name: 'demo', apiKey: 'env:DEMO_KEY', baseUrl: env.emulator.url },
        { name: 'shop', apiKey: 'env:SHOP_KEY', baseUrl: env.emulator.url },
      ],
      env: { DEMO_KEY, SHOP_KEY, CLIENT_KEY: DEMO_KEY, PATH: process.env.PATH, HOME: process.env.HOME },
      config: {
        api: {
          secrets: { env: ['CLIENT_'] },
          baseUrls: [env.emulator.url],
          triggers: { perConnection: 5, minInterval: '2s' },
        },
        destinations: {
          audit: { sink: `file:${join(env.dir, 'audit.ndjson')}` },
          // A command whose failure prints a key, as `printenv` of the wrong variable would.
          leaky: { sink: `exec:echo "failed with ${LEAKED_KEY}" >&2; exit 1` },
        },
      },
      log: { level: 'silent' },
      triggerWatchMs: 100,
      ...extra,
    });
    const triggers = new TriggerService(env.service.store);
    for (const connection of ['demo', 'shop'])
      await triggers.add({
        name: `${connection}-trigger`,
        preset: 'customer-added',
        connection,
        interval: '60s',
        sink: `file:${join(env.dir, `${connection}.ndjson`)}`,
      });
    const repo = env.service.server.ports.tokens;
    const make = async (scope: 'read' | 'write' | 'admin', connections?: string[]) =>
      issueToken(repo, {
        scopes: [scope],
        connections,
        label: `${scope}${connections ? `@${connections}` : ''}`,
      });
    const issued = {
      read: await make('read'),
      write: await make('write'),
      admin: await make('admin'),
      otherRead: await make('read', ['other']),
      otherWrite: await make('write', ['other']),
      otherAdmin: await make('admin', ['other']),
      demoRead: await make('read', ['demo']),
      demoAdmin: await make('admin', ['demo']),
    };
    env.tokens = Object.fromEntries(Object.entries(issued).map(([k, v]) => [k, v.token])) as Attack['tokens'];
    env.tokenIds = Object.fromEntries(
      Object.entries(issued).map(([k, v]) => [k, v.record.id]),
    ) as Attack['tokenIds'];
  });
  afterAll(async () => {
    await env.service?.server.close();
    await env.emulator?.close();
    probe?.closeAllConnections();
    probe?.close();
  });
  env.call = (opts, token) =>
    env.service.server.app.inject({
      ...opts,
      headers: { ...(token ? { authorization: `Bearer ${env.tokens[token]}` } : {}), ...opts.headers },
    });
  return env;
}
