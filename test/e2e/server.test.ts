/**
 * `npm start` as a user runs it: the real process (`node bin/stripe-connector.js start`), its
 * printed lines read for the URLs and the token, a journey over HTTP, and a SIGTERM while a request
 * is in flight (the emulator made slow) that still gets its whole answer before the exit (0). The
 * server runs triggers: the demo trigger, and one added over HTTP whose slow sink is mid-delivery
 * at SIGTERM; the server waits for it, and after a restart it is delivered under the same id.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.ts';
import { readLines, until } from '../triggers/support/processes.ts';
import { runCli } from './run.ts';

const bin = fileURLToPath(new URL('../../bin/stripe-connector.js', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

const SHOP_KEY = 'sk_test_shopkey123';

interface Started {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  exited: Promise<number | null>;
}

/** Starts `start ARGS` and resolves once `until` matches what it printed. */
function start(args: string[], until: RegExp, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [bin, 'start', ...args], {
    env: { ...process.env, STRIPE_API_KEY: '', SHOP_KEY, STRIPE_CONNECTOR_FROM_SOURCE: '1', ...env },
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (until.test(stdout)) resolve({ child, stdout, exited });
    });
    void exited.then((code) => reject(new Error(`start exited ${code}: ${stderr}`)));
  });
}

const line = (stdout: string, key: string) => new RegExp(`^${key}: (\\S+)`, 'm').exec(stdout)?.[1];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('npm start, end to end', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'server-e2e-'));
  let firstToken = '';

  it('prints the console, docs and token lines; a journey over HTTP; SIGTERM mid-request loses nothing', async () => {
    const port = await freePort();
    // The operator lets clients name the shop's key variable (beside the demo's own grants).
    const config = join(dataDir, 'server.json');
    writeFileSync(config, JSON.stringify({ api: { secrets: { env: ['SHOP_'] } } }));
    const { child, stdout, exited } = await start(
      ['--port', String(port), '--data-dir', dataDir, '--emulator-latency', '300', '--config', config],
      /Stop with Ctrl-C/,
    );
    const base = `http://127.0.0.1:${port}`;
    expect(line(stdout, 'console')).toBe(`${base}/`);
    expect(line(stdout, 'docs')).toBe(`${base}/docs`);
    const token = line(stdout, 'token')!;
    expect(token).toMatch(/^sct_[A-Za-z0-9_-]{40,}$/);
    firstToken = token;
    const emulator = line(stdout, 'emulator')!;
    expect(stdout).toContain('"mcpServers"');
    expect(statSync(join(dataDir, 'demo-token')).mode & 0o777).toBe(0o600);

    const call = (path: string, init: RequestInit & { token?: string } = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: {
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...(init.token !== undefined ? { authorization: `Bearer ${init.token}` } : {}),
        },
      });
    const admin = { token };

    // No token: 401 in the error format.
    const anonymous = await call('/api/connections/demo/entities/Customer');
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe('UNAUTHENTICATED');

    // The demo connection lists demo customers with a filter.
    const filter = encodeURIComponent("email = 'john.smith@example.com'");
    const demo = await call(`/api/connections/demo/entities/Customer?filter=${filter}`, admin);
    expect(demo.status).toBe(200);
    expect((await demo.json()).data.map((c: any) => c.name)).toEqual(['John Smith']);

    // A connection created through the API (its key an env: reference the server's environment has).
    const created = await call('/api/connections', {
      ...admin,
      method: 'POST',
      body: JSON.stringify({ name: 'shop', apiKey: 'env:SHOP_KEY', baseUrl: emulator }),
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(await created.json())).not.toContain(SHOP_KEY);
    const listed = await call(`/api/connections/shop/entities/Customer?filter=${filter}&limit=5`, admin);
    expect((await listed.json()).data.map((c: any) => c.email)).toEqual(['john.smith@example.com']);

    // A PaymentIntent, confirmed by the action.
    const pi = await (
      await call('/api/connections/shop/entities/PaymentIntent', {
        ...admin,
        method: 'POST',
        body: JSON.stringify({ amount: 1500, currency: 'usd', payment_method: 'pm_card_visa' }),
      })
    ).json();
    expect(pi.id).toMatch(/^pi_/);
    const confirmed = await call('/api/connections/shop/actions/ConfirmPaymentIntent', {
      ...admin,
      method: 'POST',
      body: JSON.stringify({ PaymentIntentId: pi.id, ReturnUrl: 'https://example.com' }),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ id: pi.id, status: 'succeeded' });

    // A read token (made by the CLI on the same store while the server runs) may read, not write.
    const made = await runCli(['token', 'create', '--data-dir', dataDir, '--scope', 'read', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const read = { token: JSON.parse(made.stdout).token as string };
    expect((await call('/api/connections/shop/entities/Customer?limit=1', read)).status).toBe(200);
    const refused = await call('/api/connections/shop/entities/Customer', {
      ...read,
      method: 'POST',
      body: JSON.stringify({ name: 'Nope' }),
    });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: 'FORBIDDEN' });

    // The OpenAPI document is served without a token.
    expect((await call('/openapi.json')).status).toBe(200);

    // SIGTERM while a list is in flight (the emulator answers after 300 ms): the answer arrives whole.
    const inflight = call('/api/connections/demo/entities/Customer?limit=100&format=ndjson', admin);
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const answer = await inflight;
    expect(answer.status).toBe(200);
    const rows = (await answer.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(await exited).toBe(0);
  }, 60_000);

  it('a later start prints the same demo token (kept 0600) and --json the same information', async () => {
    const { child, stdout, exited } = await start(['--port', '0', '--data-dir', dataDir, '--json'], /\}\s*$/);
    const info = JSON.parse(stdout);
    expect(info.token).toBe(firstToken);
    expect(info).toMatchObject({ target: 'emulator', console: `${info.url}/`, docs: `${info.url}/docs` });
    const kept = await fetch(`${info.url}/api/connections`, {
      headers: { authorization: `Bearer ${info.token}` },
    });
    expect(kept.status).toBe(200);
    const listed = await runCli(['token', 'list', '--data-dir', dataDir, '--json']);
    const tokens = JSON.parse(listed.stdout);
    // The demo admin token and the read token of the first test: no second admin token was made.
    expect(tokens.map((t: any) => t.scopes[0]).sort()).toEqual(['admin', 'read']);
    expect(listed.stdout).not.toContain('sct_');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('with STRIPE_API_KEY the demo connection uses that key, and no emulator runs', async () => {
    // The emulator stands in for Stripe (STRIPE_API_BASE); the key never appears in what is printed.
    const stripe = await startEmulator({ port: 0, seed: 'demo' });
    const key = 'sk_test_realkey4242';
    try {
      const dir = mkdtempSync(join(tmpdir(), 'server-e2e-stripe-'));
      const { child, stdout, exited } = await start(['--port', '0', '--data-dir', dir, '--json'], /\}\s*$/, {
        STRIPE_API_KEY: key,
        STRIPE_API_BASE: stripe.url,
      });
      const info = JSON.parse(stdout);
      expect(info.target).toBe('stripe');
      expect(info.emulator).toBeUndefined();
      expect(stdout).not.toContain(key);
      stripe.clearRequests();
      const res = await fetch(`${info.url}/api/connections/demo/entities/Customer?limit=2`, {
        headers: { authorization: `Bearer ${info.token}` },
      });
      expect(res.status).toBe(200);
      expect((await res.json()).data).toHaveLength(2);
      // The demo trigger polls /v1/events at its interval meanwhile: only the API call is asked about.
      expect(stripe.requests.map((r) => r.path).filter((p) => p !== '/v1/events')).toEqual(['/v1/customers']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await stripe.close();
    }
  }, 60_000);

  it('runs triggers: the demo one, and one added over HTTP; SIGTERM mid-delivery loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-e2e-triggers-'));
    // A slow sink: the first call is held until the test answers it (503: the sink gave up).
    const calls: Array<{ id: string; body: any; res: ServerResponse }> = [];
    const sink = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls.push({ id: String(req.headers['webhook-id']), body: JSON.parse(body), res });
        if (calls.length > 1) res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/hook`;
    const env = { SINK_SECRET: `whsec_${randomBytes(24).toString('base64')}` };
    const port = await freePort();
    // The sink is a destination the operator declares; clients name it.
    const config = join(dir, 'server.json');
    writeFileSync(
      config,
      JSON.stringify({
        destinations: { 'slow-sink': { sink: sinkUrl, secret: 'env:SINK_SECRET' } },
        api: { triggers: { minInterval: '1s' } },
      }),
    );
    const args = ['--port', String(port), '--data-dir', dir, '--config', config];
    try {
      const first = await start(args, /Stop with Ctrl-C/, env);
      expect(first.stdout).toMatch(
        /^trigger: demo-customers \(each new customer → .*demo-customers\.ndjson/m,
      );
      const base = `http://127.0.0.1:${port}`;
      const token = line(first.stdout, 'token')!;
      const call = (path: string, method = 'GET', body?: object) =>
        fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
      const added = await call('/api/triggers', 'POST', {
        name: 'slow-sink',
        preset: 'customer-added',
        connection: 'demo',
        interval: '1s',
        sink: 'destination:slow-sink',
      });
      expect(added.status).toBe(201);
      const started = async (name: string) =>
        (await call(`/api/triggers/${name}/status`)).json.checkpoint.updatedAt !== null;
      await until(async () => (await started('slow-sink')) && (await started('demo-customers')));
      const customer = await call('/api/connections/demo/entities/Customer', 'POST', { email: 'e2e@x.test' });
      expect(customer.status).toBe(201);
      await until(() => calls.length === 1);
      expect(calls[0].body.data).toMatchObject({ id: customer.json.id });
      // The demo trigger wrote it too.
      await until(() =>
        readLines(join(dir, 'demo-customers.ndjson')).some((l) => l.data?.id === customer.json.id),
      );

      first.child.kill('SIGTERM');
      // The server waits for the delivery in flight (it neither exits nor drops it).
      const early = await Promise.race([
        first.exited,
        new Promise((r) => setTimeout(() => r('waiting'), 700)),
      ]);
      expect(early).toBe('waiting');
      calls[0].res.writeHead(503).end('busy');
      expect(await first.exited).toBe(0);

      const second = await start(args, /Stop with Ctrl-C/, env);
      await until(() => calls.length === 2);
      expect(calls[1].id).toBe(calls[0].id);
      const deliveries = async () => (await call('/api/triggers/slow-sink/deliveries')).json.data;
      await until(async () => (await deliveries())[0]?.status === 'delivered');
      expect(await deliveries()).toEqual([
        expect.objectContaining({ id: calls[0].id, status: 'delivered', attempts: 2 }),
      ]);
      const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(await metrics.text()).toMatch(
        /^trigger_deliveries\{trigger="slow-sink",state="delivered"\} 1$/m,
      );
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(calls).toHaveLength(2);
    } finally {
      sink.closeAllConnections();
      sink.close();
    }
  }, 90_000);

  it('a busy port is said, naming --port (exit 2)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const { code, stderr } = await runCli(['start', '--port', String(port), '--data-dir', dataDir], {
        STRIPE_API_KEY: '',
      });
      expect(code).toBe(2);
      expect(stderr).toContain(`error INVALID_ARGUMENT: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).toContain('pass --port <port> to pick another');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);
});
