/**
 * The trigger runner inside a started service (startService on a SQLite store, the emulator as
 * Stripe): a trigger added over HTTP is run and delivers; one added on the store by another
 * process (the CLI) is picked up; removing one while its poll waits for Stripe answers at once;
 * `/webhooks/{connection}` receives Stripe's signed calls for webhook triggers (and refuses
 * unsigned, stale, tampered and replayed ones, storing nothing); /metrics shows lag and deliveries.
 */
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { startService, type StartedService } from '../../src/server/service.ts';
import type { InboxEvent } from '../../src/triggers/ports.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { freePort, readLines, until } from '../triggers/support/processes.ts';
import { API_KEY } from './support.ts';

let emulator: Emulator;
let service: StartedService;
let silent: ReturnType<typeof createHttpServer>;
const silentCalls: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'server-runner-'));
const auth = () => ({ authorization: `Bearer ${service.token}` });
const inject = (opts: InjectOptions) => service.server.app.inject(opts);
const customer = (email: string) =>
  inject({
    method: 'POST',
    url: '/api/connections/demo/entities/Customer',
    headers: auth(),
    payload: { email },
  });

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, randomSeed: 5 });
  // A "Stripe" that takes requests and never answers: a poll stays in flight.
  silent = createHttpServer(() => void silentCalls.push('call'));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  const port = await freePort();
  service = await startService({
    host: '127.0.0.1',
    port,
    dataDir: join(dir, 'store'),
    connections: [
      { name: 'demo', apiKey: 'env:K', baseUrl: emulator.url },
      { name: 'stuck', apiKey: 'env:K', baseUrl: silentUrl, timeoutMs: 60_000 },
    ],
    env: { K: API_KEY },
    // What clients may use: the key's variable, the emulator, a file destination, 1 s polls.
    config: {
      api: { secrets: { env: ['K'] }, baseUrls: [emulator.url], triggers: { minInterval: '1s' } },
      destinations: { 'api-file': { sink: `file:${join(dir, 'api.ndjson')}` } },
    },
    log: { level: 'silent' },
    publicUrl: `http://127.0.0.1:${port}`,
    triggerWatchMs: 100,
  });
});

afterAll(async () => {
  await service?.server.close();
  silent?.closeAllConnections();
  silent?.close();
  await emulator?.close();
});

describe('the server runs its triggers', () => {
  it('runs a trigger added over HTTP: a new customer is delivered and counted', async () => {
    const out = join(dir, 'api.ndjson');
    const added = await inject({
      method: 'POST',
      url: '/api/triggers',
      headers: auth(),
      payload: {
        name: 'api-added',
        preset: 'customer-added',
        connection: 'demo',
        interval: '1s',
        sink: 'destination:api-file',
      },
    });
    expect(added.statusCode).toBe(201);
    // The runner took it up (its first poll set the checkpoint) before the customer exists.
    await until(async () => (await service.store.checkpoints.get('api-added', 'poll')) !== undefined);
    const id = (await customer('api@x.test')).json().id as string;
    await until(() => readLines(out).length === 1);
    expect(readLines(out)[0]).toMatchObject({ type: 'customer.created', data: { id } });
    await until(async () => (await statusOf('api-added')).delivered === 1);
    const metrics = (await inject({ method: 'GET', url: '/metrics', headers: auth() })).body;
    expect(metrics).toMatch(/^trigger_deliveries\{trigger="api-added",state="delivered"\} 1$/m);
    expect(metrics).toMatch(/^trigger_lag_seconds\{trigger="api-added"\} 0$/m);
    expect(metrics).toMatch(/^trigger_running\{trigger="api-added"\} 1$/m);
    expect(metrics).toMatch(
      /^trigger_delivery_attempts_total\{trigger="api-added",outcome="delivered"\} 1$/m,
    );
  });

  it('keeps running a trigger whose connection was deleted and made again (its old gateway closed)', async () => {
    const out = join(dir, 'api.ndjson');
    const deleted = await inject({ method: 'DELETE', url: '/api/connections/demo', headers: auth() });
    expect(deleted.statusCode).toBe(200);
    const replaced = await inject({
      method: 'POST',
      url: '/api/connections',
      headers: auth(),
      payload: { name: 'demo', apiKey: 'env:K', baseUrl: emulator.url, timeoutMs: 20_000 },
    });
    expect(replaced.statusCode).toBeLessThan(300);
    const id = (await customer('after-replace@x.test')).json().id as string;
    await until(() => readLines(out).some((l) => l.data?.id === id));
  });

  it('picks up a trigger added on the store by another process, and stops a removed one', async () => {
    const out = join(dir, 'cli.ndjson');
    await new TriggerService(service.store).add({
      name: 'cli-added',
      preset: 'customer-added',
      connection: 'demo',
      interval: '1s',
      sink: `file:${out}`,
    });
    await until(async () => (await statusOf('cli-added')).state === 'active' && running('cli-added'));
    await until(async () => (await service.store.checkpoints.get('cli-added', 'poll')) !== undefined);
    const id = (await customer('cli@x.test')).json().id as string;
    // Its own customer, by id: not a count of lines. The trigger begins with the second it was
    // added, so the previous test's customer, made in that same second, is new to it too; under
    // load one poll finds both and the lines go from 0 to 2 between two looks at the file.
    await until(() => readLines(out).some((l) => l.data?.id === id));
    await new TriggerService(service.store).remove('cli-added');
    await until(() => !running('cli-added'));
  });

  it('reports a trigger whose sink cannot be made as failing, with the reason; the others run on', async () => {
    const secretFile = join(dir, 'sink.secret');
    const key = `whsec_${Buffer.from('twenty-four signing bytes').toString('base64')}`;
    writeFileSync(secretFile, key);
    await new TriggerService(service.store).add({
      name: 'bad-secret',
      preset: 'customer-added',
      connection: 'demo',
      sink: 'http://127.0.0.1:9/hook',
      sinkSecret: `file:${secretFile}`,
    });
    writeFileSync(secretFile, 'whsec_not*base64!'); // gone bad after the add checked it
    await until(async () => (await statusOf('bad-secret')).state === 'failing');
    const status = await statusOf('bad-secret');
    expect(status.failing.reason).toContain(
      `bad-secret.sinkSecret: file:${secretFile} does not hold a signing key`,
    );
    expect(JSON.stringify(status)).not.toContain('not*base64');
    expect((await statusOf('api-added')).state).toBe('active');
    const metrics = (await inject({ method: 'GET', url: '/metrics', headers: auth() })).body;
    expect(metrics).toMatch(/^trigger_failing\{trigger="bad-secret"\} 1$/m);
    expect(metrics).toMatch(/^trigger_failing\{trigger="api-added"\} 0$/m);
    writeFileSync(secretFile, key);
    await until(async () => (await statusOf('bad-secret')).state === 'active');
    await new TriggerService(service.store).remove('bad-secret');
  });

  it('removes a trigger whose poll waits for Stripe at once (the stop reaches the poll)', async () => {
    const added = await inject({
      method: 'POST',
      url: '/api/triggers',
      headers: auth(),
      payload: {
        name: 'stuck',
        preset: 'customer-added',
        connection: 'stuck',
        interval: '60s',
        sink: 'stdout',
      },
    });
    expect(added.statusCode).toBe(201);
    await until(() => silentCalls.length > 0);
    const started = Date.now();
    const removed = await inject({ method: 'DELETE', url: '/api/triggers/stuck', headers: auth() });
    expect(removed.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(running('stuck')).toBe(false);
    expect(await service.store.checkpoints.get('stuck', 'poll')).toBeUndefined();
  });
});

describe('POST /webhooks/{connection}', () => {
  const out = join(dir, 'hooks.ndjson');
  let secret = '';

  beforeAll(async () => {
    await new TriggerService(service.store).add({
      name: 'hooks',
      preset: 'customer-added',
      source: 'webhook',
      connection: 'demo',
      interval: '60s',
      sink: `file:${out}`,
    });
    await until(() => running('hooks'));
    await until(async () => Boolean(await findSecret()));
    secret = (await findSecret()) as string;
    // The receiver knows it too (it learns it just after the store does).
    await until(() => Boolean(service.triggers?.webhooks('demo').secrets.includes(secret)));
  });

  async function findSecret(): Promise<string | undefined> {
    const endpoints = await emulatorEndpoints();
    const ours = endpoints.find((e) => e.url.endsWith('/webhooks/demo'));
    const kept = ours && (await service.store.kv.get<string>(`endpoint-secret:${ours.id}`));
    return kept && service.store.sealer!.open(kept);
  }

  it('keeps the endpoint’s signing secret sealed in the store, under a key beside it (0600)', async () => {
    const ours = (await emulatorEndpoints()).find((e) => e.url.endsWith('/webhooks/demo'))!;
    const kept = (await service.store.kv.get<string>(`endpoint-secret:${ours.id}`)) as string;
    expect(kept).toMatch(/^sealed:v1:/);
    expect(kept).not.toContain('whsec_');
    expect(readFileSync(join(dir, 'store', 'store.db')).includes(secret)).toBe(false);
    expect(statSync(join(dir, 'store', 'seal.key')).mode & 0o777).toBe(0o600);
  });

  it("makes the connection's endpoint at the public URL, and Stripe's calls are stored and delivered", async () => {
    const [endpoint] = (await emulatorEndpoints()).filter((e) => e.url.endsWith('/webhooks/demo'));
    expect(endpoint).toMatchObject({
      url: `${service.server.url}/webhooks/demo`,
      enabled_events: ['customer.created'],
    });
    const id = (await customer('hook@x.test')).json().id as string;
    await until(() => readLines(out).some((l) => l.data?.id === id));
    const stored = await service.store.inbox.list<InboxEvent>({ scope: 'trigger:hooks' });
    expect(stored.find((e) => e.payload.data.object.id === id)?.payload.source).toBe('webhook');
  });

  const signed = (payload: string, timestamp?: number) => ({
    'content-type': 'application/json',
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
  });
  const event = (id: string) =>
    JSON.stringify({
      id,
      object: 'event',
      type: 'customer.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: `cus_${id}`, object: 'customer' } },
    });
  const post = (payload: string, headers: Record<string, string>) =>
    inject({ method: 'POST', url: '/webhooks/demo', payload, headers });
  const inboxHas = async (id: string) =>
    (await service.store.inbox.list<InboxEvent>({ scope: 'trigger:hooks' })).some((e) => e.payload.id === id);

  it('stores a signed call before answering 200, once (a new signature of it stores nothing)', async () => {
    const body = event('evt_signed1');
    const first = await post(body, signed(body));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ received: true, id: 'evt_signed1', stored: 1 });
    expect(await inboxHas('evt_signed1')).toBe(true);
    const again = await post(body, signed(body, Math.floor(Date.now() / 1000) - 1));
    expect(again.json()).toMatchObject({ stored: 0 });
  });

  it('refuses unsigned, stale, tampered and replayed calls with 400 and stores nothing', async () => {
    const body = event('evt_refused');
    const unsigned = await post(body, { 'content-type': 'application/json' });
    const stale = await post(body, signed(body, Math.floor(Date.now() / 1000) - 301));
    const tampered = await post(body.replace('cus_', 'cus_x'), signed(body));
    for (const [answer, reason] of [
      [unsigned, 'unsigned'],
      [stale, 'stale'],
      [tampered, 'mismatch'],
    ] as const) {
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(answer.json().error.message).toMatch(/webhook refused/);
      expect(answer.body).not.toContain(secret);
      expect(reason).toBeTruthy();
    }
    expect(await inboxHas('evt_refused')).toBe(false);
    const replayed = event('evt_replayed');
    const headers = signed(replayed);
    expect((await post(replayed, headers)).statusCode).toBe(200);
    const replay = await post(replayed, headers);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.message).toMatch(/already received/);
    const metrics = (await inject({ method: 'GET', url: '/metrics', headers: auth() })).body;
    expect(metrics).toMatch(/^webhooks_received_total\{connection="demo",outcome="refused"\} 4$/m);
  });

  it('refuses a signed event that lacks created with 400 and the reason: nothing stored, the next one delivered', async () => {
    const { created: _created, ...noCreated } = JSON.parse(event('evt_no_created'));
    const body = JSON.stringify(noCreated);
    const refused = await post(body, signed(body));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'webhook refused: the event cannot be delivered: created: missing (an integer, epoch seconds)',
    });
    expect(await inboxHas('evt_no_created')).toBe(false);
    const next = event('evt_after_odd');
    expect((await post(next, signed(next))).statusCode).toBe(200);
    await until(() => readLines(out).some((l) => l.event_id === 'evt_after_odd'));
    const deliveries = await inject({
      method: 'GET',
      url: '/api/triggers/hooks/deliveries',
      headers: auth(),
    });
    expect(deliveries.statusCode).toBe(200);
    await until(async () => (await statusOf('hooks')).pending === 0);
    expect(await statusOf('hooks')).toMatchObject({ state: 'active', dead: 0 });
  });

  it('a connection with no webhook trigger has no secret: 400, nothing stored; no token needed', async () => {
    const body = event('evt_other');
    const answer = await inject({
      method: 'POST',
      url: '/webhooks/stuck',
      payload: body,
      headers: signed(body),
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.message).toMatch(/no endpoint secret|does not match/);
  });
});

async function statusOf(name: string) {
  return (await inject({ method: 'GET', url: `/api/triggers/${name}/status`, headers: auth() })).json();
}

async function emulatorEndpoints(): Promise<Array<{ id: string; url: string; enabled_events: string[] }>> {
  const res = await fetch(`${emulator.url}/v1/webhook_endpoints`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  return ((await res.json()) as { data: Array<{ id: string; url: string; enabled_events: string[] }> }).data;
}

function running(name: string): boolean {
  return Boolean(service.triggers?.running().includes(name));
}

describe('runTriggers: false', () => {
  it('serves the trigger routes over the store and runs nothing', async () => {
    const other = await startService({
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'routes-only'),
      connections: [{ name: 'demo', apiKey: 'env:K', baseUrl: emulator.url }],
      env: { K: API_KEY },
      config: { api: { triggers: { minInterval: '1s' } } },
      log: { level: 'silent' },
      runTriggers: false,
    });
    try {
      const headers = { authorization: `Bearer ${other.token}` };
      const added = await other.server.app.inject({
        method: 'POST',
        url: '/api/triggers',
        headers,
        payload: {
          name: 'elsewhere',
          preset: 'customer-added',
          connection: 'demo',
          interval: '1s',
          sink: 'stdout',
        },
      });
      expect(added.statusCode).toBe(201);
      expect(other.triggers).toBeUndefined();
      await new Promise((r) => setTimeout(r, 300));
      expect(await other.store.checkpoints.get('elsewhere', 'poll')).toBeUndefined();
      const webhook = await other.server.app.inject({ method: 'POST', url: '/webhooks/demo', payload: '{}' });
      // No receiver here (the process that runs the triggers has it): an unknown route, so 401.
      expect(webhook.statusCode).toBe(401);
    } finally {
      await other.server.close();
    }
  });
});
