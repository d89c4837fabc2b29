/**
 * A stateful, Stripe-compatible API server (API version 2023-08-16) for offline use, tests and
 * benchmarks. It is Stripe's side of the wire: it imports nothing from the connector but the catalog.
 */
import type { AddressInfo } from 'node:net';
import { loadCatalog } from '../catalog/index.ts';
import { registerBehaviours } from './behaviours/index.ts';
import { Conditions } from './conditions.ts';
import { Engine } from './engine.ts';
import { Events, stripeEventTypes } from './events.ts';
import { Idempotency } from './idempotency.ts';
import { Persister, loadStore } from './persist.ts';
import { seededRng } from './random.ts';
import { seedDemo } from './seed.ts';
import { createServer } from './server.ts';
import { controlRoutes } from './control.ts';
import { Store } from './store.ts';
import type { Obj } from './objects.ts';
import type { Emulator, EmulatorOptions } from './types.ts';
import { RequestLog } from './request_log.ts';
import { Webhooks } from './webhooks.ts';

export type { Emulator, EmulatorOptions, FaultSpec, RecordedRequest } from './types.ts';
export { signature as webhookSignature } from './webhooks.ts';
export { parseFaults, parseLatency, parseRateLimit } from './conditions.ts';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const catalog = loadCatalog();
  const restored = loadStore(options.dataFile);
  const engine = new Engine(
    catalog,
    restored ?? new Store(),
    options.randomSeed === undefined ? undefined : seededRng(options.randomSeed ^ 0x5eed),
  );
  const webhooks = new Webhooks({
    attempts: options.webhookRetry?.attempts ?? 4,
    baseMs: options.webhookRetry?.baseMs ?? 1000,
    log: options.log,
  });
  engine.events = new Events(webhooks.deliver, stripeEventTypes(catalog));
  registerBehaviours(engine, { webhookSecret: options.webhookSecret });
  if (options.seed === 'demo' && !restored) await seedDemo(engine);

  const persister = new Persister(options.dataFile, () => engine.store);
  const conditions = new Conditions(options);
  const requests = new RequestLog(options.maxRecordedRequests ?? 100_000);
  const server = createServer({
    engine,
    conditions,
    idempotency: new Idempotency(),
    requests,
    onChange: () => persister.changed(),
    log: options.log,
    accounts: checkAccounts(options.accounts),
    control: controlRoutes(engine, options.accounts),
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      // Say which address is taken, so a caller can tell the user to pick another port.
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES')
        error.message = `port ${options.port} on ${host} is ${error.code === 'EADDRINUSE' ? 'already in use' : 'not allowed'}`;
      reject(error);
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.log?.(`stripe emulator listening on ${url}`);

  return {
    url,
    port,
    get requests() {
      return requests.toArray();
    },
    clearRequests: () => requests.clear(),
    load(resourceId, objects, opts = {}) {
      if (!catalog.raw.resources[resourceId]) throw new Error(`unknown resource "${resourceId}"`);
      const livemode = opts.livemode ?? false;
      const collection = engine.store.namespace(livemode, opts.account).collection(resourceId);
      const now = Math.floor(Date.now() / 1000);
      // In place and sparse: render() fills schema defaults when objects are read. Only fields the
      // schema has (a mandate has no `created`, a refund no `livemode`).
      const fields = catalog.raw.schemas[resourceId]?.fields ?? {};
      for (const o of objects) {
        if (o.id === undefined) o.id = engine.newId(resourceId, livemode);
        if (o.object === undefined) o.object = resourceId;
        if (o.created === undefined && fields.created) o.created = now;
        if (o.livemode === undefined && fields.livemode) o.livemode = livemode;
      }
      // Listed newest first by `created` like Stripe, whatever order the objects come in.
      collection.insertMany(objects as Obj[]);
      persister.changed();
    },
    setConditions: (c) => conditions.set(c),
    async close() {
      await webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      persister.flush();
    },
  };
}

/** The key-to-account table, checked once at start so a typo fails loudly rather than per request. */
function checkAccounts(accounts: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!accounts) return undefined;
  for (const [key, account] of Object.entries(accounts)) {
    if (!/^(sk|rk|pk)_(test|live)_[A-Za-z0-9_]+$/.test(key))
      throw new Error(
        `accounts: "${key.slice(0, 8)}…" is not an API key (sk_, rk_ or pk_, then test_ or live_)`,
      );
    if (!/^acct_[A-Za-z0-9]+$/.test(account))
      throw new Error(
        `accounts: the account of ${key.slice(0, 8)}… must be an account id (acct_...), not "${account}"`,
      );
  }
  return Object.assign(Object.create(null), accounts);
}
