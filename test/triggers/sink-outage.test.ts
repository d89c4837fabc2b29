/**
 * An HTTP sink that is down for a while (503, then refusing connections) loses nothing: the runner
 * (in this process, on a real store) retries with backoff and delivers every event in order, each
 * signed per Standard Webhooks with the same delivery id on every attempt.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { runUntilSignal } from '../../src/lifecycle.ts';
import { openStore } from '../../src/store/index.ts';
import { triggerServices } from '../../src/triggers/runner.ts';
import { TriggerService } from '../../src/triggers/service.ts';
import { useEmulator } from '../entities/support/env.ts';
import { until } from './support/processes.ts';

const env = useEmulator();
const SECRET = 'whsec_' + Buffer.from('outage-test-secret-0123456789').toString('base64');

function listen(handler: Parameters<typeof createServer>[1], port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer(handler);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

describe('sink outage', () => {
  it('503s and a closed port for a while: every event delivered once acknowledged, in order, signed', async () => {
    const verifier = new Webhook(SECRET);
    const got: Array<{ id: string; email: string; attemptId: string }> = [];
    let down = true;
    const receive: Parameters<typeof createServer>[1] = (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (down) return void res.writeHead(503).end();
        const msg = verifier.verify(body, req.headers as Record<string, string>) as {
          id: string;
          data: { email: string };
        };
        got.push({ id: msg.id, email: msg.data.email, attemptId: String(req.headers['webhook-id']) });
        res.writeHead(200).end();
      });
    };
    let sink = await listen(receive);
    const port = (sink.address() as AddressInfo).port;
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'trigger-outage-')) });
    await new TriggerService(store, env.ctx.catalog).add({
      name: 'outage',
      source: 'events',
      events: ['customer.created'],
      interval: '1s',
      sink: `http://127.0.0.1:${port}/hook`,
      sinkSecret: 'env:OUTAGE_SECRET',
    });
    const stop = new AbortController();
    const { services } = await triggerServices({
      store,
      ctx: env.ctx,
      env: { OUTAGE_SECRET: SECRET },
      idleMs: 20,
      overlapSeconds: 2,
    });
    const running = runUntilSignal(services, { signal: stop.signal, signals: [] });
    await until(async () => Boolean(await store.checkpoints.get('outage', 'poll')));
    const emails = Array.from({ length: 12 }, (_, i) => `o${i}@x.test`);
    for (const email of emails.slice(0, 6))
      await env.ctx.gateway.request({ method: 'POST', path: '/v1/customers', params: { email } });
    await until(async () => (await store.deliveries.list('outage', { limit: 100 })).some((j) => j.lastError));
    sink.close();
    sink.closeAllConnections();
    for (const email of emails.slice(6))
      await env.ctx.gateway.request({ method: 'POST', path: '/v1/customers', params: { email } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(got).toEqual([]);
    down = false;
    sink = await listen(receive, port);
    await until(() => got.length >= 12, 30_000);
    stop.abort();
    await running;
    sink.close();
    const counts = await store.deliveries.counts('outage');
    await store.close();
    expect(got.map((g) => g.email)).toEqual(emails);
    for (const g of got) expect(g.attemptId).toBe(g.id);
    expect(counts).toMatchObject({ succeeded: 12, queued: 0, running: 0, dead: 0 });
  }, 60_000);
});
