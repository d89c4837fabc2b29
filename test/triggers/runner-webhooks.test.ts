/**
 * A webhook trigger run by the runner against the emulator: the endpoint is created once with the
 * trigger's event types and reused across restarts; its secret is kept in the store; webhooks are
 * stored and delivered; an event made while no runner ran (its webhook lost) comes in through the
 * Events-API reconciliation, and nothing is delivered twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runUntilSignal } from '../../src/lifecycle.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { InboxEvent } from '../../src/triggers/ports.ts';
import { triggerServices } from '../../src/triggers/runner.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { freePort, readLines, until } from './support/processes.ts';
import { useEmulator } from '../entities/support/env.ts';

const env = useEmulator();

async function runFor(store: Store, port: number, body: () => Promise<void>): Promise<string[]> {
  const logs: string[] = [];
  const stop = new AbortController();
  const { services } = await triggerServices({
    store,
    ctx: env.ctx,
    listen: { host: '127.0.0.1', port },
    publicUrl: `http://127.0.0.1:${port}/`,
    log: (l) => logs.push(l),
    idleMs: 20,
  });
  let started: () => void = () => {};
  const ready = new Promise<void>((r) => (started = r));
  const running = runUntilSignal(services, { signal: stop.signal, signals: [], onStarted: () => started() });
  await ready;
  try {
    await body();
  } finally {
    stop.abort();
    await running;
  }
  return logs;
}

const customer = (email: string) =>
  env.ctx.gateway.request<{ id: string }>({ method: 'POST', path: '/v1/customers', params: { email } });

describe('runner: webhook trigger', () => {
  it('one endpoint, reused on restart; webhooks delivered; a lost one reconciled; each once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trigger-webhooks-'));
    const out = join(dir, 'out.ndjson');
    const store = await openStore({ dataDir: dir });
    await new TriggerService(store, env.ctx.catalog).add({
      name: 'hooks',
      preset: 'customer-added',
      source: 'webhook',
      interval: '1s',
      sink: `file:${out}`,
    });
    const port = await freePort();
    const ids: string[] = [];
    const logs = await runFor(store, port, async () => {
      ids.push((await customer('w1@x.test')).id);
      await until(() => readLines(out).length === 1);
    });
    expect(logs.join('\n')).toMatch(/endpoint we_\w+ created for 1 event types/);
    expect(logs.join('\n')).not.toMatch(/whsec_/);
    const [stored] = await store.inbox.list<InboxEvent>({ scope: 'trigger:hooks' });
    expect(stored.payload.source).toBe('webhook');
    // Made while no runner listens: its webhook fails, the restart's reconciliation finds it.
    ids.push((await customer('w2@x.test')).id);
    const again = await runFor(store, port, async () => {
      ids.push((await customer('w3@x.test')).id);
      await until(() => readLines(out).length >= 3);
      await new Promise((r) => setTimeout(r, 1200)); // one more reconciliation: still no duplicate
    });
    expect(again.join('\n')).toMatch(/endpoint we_\w+ reused/);
    const endpoints = await env.ctx.gateway.request<{ data: unknown[] }>({
      method: 'GET',
      path: '/v1/webhook_endpoints',
    });
    expect(endpoints.data).toHaveLength(1);
    expect(
      readLines(out)
        .map((l) => l.data.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect((await store.deliveries.counts('hooks')).succeeded).toBe(3);
    const inbox = await store.inbox.list<InboxEvent>({ scope: 'trigger:hooks' });
    const sourceOf = (id: string) => inbox.find((e) => e.payload.data.object.id === id)?.payload.source;
    expect(sourceOf(ids[1])).toBe('events');
    await store.close();
  }, 60_000);
});
