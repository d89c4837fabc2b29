/** Shared fixture: a fresh emulator and a connector context talking to it, for one test file. */
import { afterAll, beforeAll } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.ts';
import type { ConnectorContext } from '../../src/context.ts';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { createGateway } from '../../src/gateway/index.ts';

export interface Env {
  emulator: Emulator;
  ctx: ConnectorContext;
}

export function useEmulator(): Env {
  const env = {} as Env;
  beforeAll(async () => {
    env.emulator = await startEmulator({ port: 0, randomSeed: 11 });
    const catalog = loadCatalog();
    const gateway = createGateway({
      apiKey: 'sk_test_123',
      baseUrl: env.emulator.url,
      apiVersion: catalog.apiVersion,
    });
    env.ctx = { catalog, gateway };
  });
  afterAll(async () => {
    await env.ctx?.gateway.close();
    await env.emulator?.close();
  });
  return env;
}

export { rejection } from './errors.ts';
