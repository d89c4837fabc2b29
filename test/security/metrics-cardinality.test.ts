/**
 * Attack: anonymous calls that each add a metric series which is never removed, so /metrics (and
 * the memory behind it, and every scrape) grows without bound. `POST /webhooks/<any valid name>`
 * needs no token: a name that is no configured connection is counted under one fixed label,
 * `connection="(unknown)"`; a configured connection keeps its own. The request metrics label by
 * route pattern, not path.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type StartedService } from '../../src/server/service.ts';
import { API_KEY } from '../server/support.ts';

let service: StartedService;

beforeAll(async () => {
  service = await startService({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(mkdtempSync(join(tmpdir(), 'metrics-cardinality-')), 'store'),
    // Never called: no trigger runs, the webhook calls are refused before any Stripe call.
    connections: [{ name: 'demo', apiKey: 'env:K', baseUrl: 'http://127.0.0.1:9' }],
    env: { K: API_KEY },
    log: { level: 'silent' },
  });
});

afterAll(async () => {
  await service?.server.close();
});

const webhook = (name: string) =>
  service.server.app.inject({ method: 'POST', url: `/webhooks/${name}`, payload: '{}' });

async function metrics(): Promise<string[]> {
  const res = await service.server.app.inject({
    url: '/metrics',
    headers: { authorization: `Bearer ${service.token}` },
  });
  expect(res.statusCode).toBe(200);
  return res.body.split('\n').filter((line) => line && !line.startsWith('#'));
}

describe('/metrics stays bounded under anonymous calls', () => {
  it('500 webhook calls to distinct unknown connection names add no series', async () => {
    // The first unknown name brings the fixed label (and the route's request series) once.
    // The scrape's own request series appears with the second scrape: taken before measuring.
    expect((await webhook('first-unknown')).statusCode).toBe(400);
    await metrics();
    const before = await metrics();
    for (let i = 0; i < 500; i++) expect((await webhook(`unknown-${i}`)).statusCode).toBe(400);
    const after = await metrics();
    expect(after.length).toBe(before.length);
    const text = after.join('\n');
    expect(text).not.toMatch(/unknown-\d/);
    expect(text).toMatch(/^webhooks_received_total\{connection="\(unknown\)",outcome="refused"\} 501$/m);
    expect(text).toMatch(
      /^http_requests_total\{method="POST",route="\/webhooks\/:connection",status="400"\} 501$/m,
    );
  });

  it('a configured connection keeps its own label', async () => {
    expect((await webhook('demo')).statusCode).toBe(400);
    expect((await metrics()).join('\n')).toMatch(
      /^webhooks_received_total\{connection="demo",outcome="refused"\} 1$/m,
    );
  });

  it('unknown paths are counted under one route label', async () => {
    for (let i = 0; i < 50; i++) await service.server.app.inject({ url: `/no/such/path-${i}` });
    const text = (await metrics()).join('\n');
    expect(text).not.toMatch(/path-\d/);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="401"\} 50$/m);
  });
});
