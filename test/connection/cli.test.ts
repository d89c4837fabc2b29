/** `stripe-connector connection test|show`, run as a user would, against the emulator. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as ProxyServer } from 'proxy-chain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { runCli } from '../cli/run.ts';

let emulator: Emulator;
let proxy: ProxyServer;
/** A server that rejects every key, as Stripe does a revoked one. */
let rejecting: Server;
let rejectingUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'conn-cli-'));

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  proxy = new ProxyServer({
    port: 0,
    host: '127.0.0.1',
    prepareRequestFunction: ({ username, password }) => ({
      requestAuthentication: username !== 'u' || password !== 'right',
    }),
  });
  await proxy.listen();
  rejecting = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } }),
    );
  });
  await new Promise<void>((done) => rejecting.listen(0, '127.0.0.1', done));
  rejectingUrl = `http://127.0.0.1:${(rejecting.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await proxy.close(true);
  await emulator.close();
  await new Promise((done) => rejecting.close(done));
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('connection test', () => {
  it('reports account, mode and API version from the environment connection', async () => {
    const r = await runCli(['connection', 'test', '--json'], {
      STRIPE_API_KEY: 'sk_test_cli1',
      STRIPE_API_BASE: emulator.url,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      account: expect.stringMatching(/^acct_/),
      mode: 'test',
      apiVersion: '2023-08-16',
    });
  });

  it('works from a connection file through a proxy, and shows it without secrets', async () => {
    const f = file(
      'ok.yaml',
      `name: via-proxy\nbaseUrl: ${emulator.url}\nproxy_enabled: true\nproxy:\n  url: 127.0.0.1:${proxy.port}\nproxy_auth_scheme: BASIC\nproxy_user: u\nproxy_password: env:PW\n`,
    );
    const env = { STRIPE_API_KEY: 'sk_test_cli2', PW: 'right' };
    const r = await runCli(['connection', 'test', '--connection', f, '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      connection: 'via-proxy',
      proxy: `127.0.0.1:${proxy.port} (BASIC, AUTO)`,
    });
    const show = await runCli(['connection', 'show', '--connection', f, '--json'], env);
    expect(JSON.parse(show.stdout)).toMatchObject({
      name: 'via-proxy',
      mode: 'test',
      proxy: { authScheme: 'BASIC', user: 'u' },
    });
    expect(show.stdout + r.stdout).not.toMatch(/sk_test_cli2|right/);
  });

  it('takes the seed-style list of proxy addresses (Terraform proxy_url) and fails over to the live one', async () => {
    const f = file(
      'two.yaml',
      `name: two-proxies\nbaseUrl: ${emulator.url}\nproxy_enabled: true\nproxy_url:\n  - 127.0.0.1:1\n  - 127.0.0.1:${proxy.port}\nproxy_auth_scheme: BASIC\nproxy_user: u\nproxy_password: env:PW\nverbosity: 3\n`,
    );
    const env = { STRIPE_API_KEY: 'sk_test_cli3', PW: 'right' };
    const r = await runCli(['connection', 'test', '--connection', f, '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      proxy: `127.0.0.1:1, 127.0.0.1:${proxy.port} (BASIC, AUTO)`,
    });
    expect(r.stderr).toContain(
      `proxy http://127.0.0.1:1 is unreachable (ECONNREFUSED) for GET /v1/account; trying http://127.0.0.1:${proxy.port}`,
    );
    const show = await runCli(['connection', 'show', '--connection', f, '--json'], env);
    expect(JSON.parse(show.stdout).proxy.urls).toEqual([
      'http://127.0.0.1:1',
      `http://127.0.0.1:${proxy.port}`,
    ]);
    expect(show.stdout + r.stdout + r.stderr).not.toMatch(/sk_test_cli3|right/);
  });

  it('diagnoses a bad key, a wrong proxy password, an unreachable server and a wrong mode', async () => {
    const bad = await runCli(['connection', 'test', '--json'], {
      STRIPE_API_KEY: 'sk_test_revoked1',
      STRIPE_API_BASE: rejectingUrl,
    });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      ok: false,
      diagnosis: expect.stringMatching(/^bad key: the server rejected/),
      error: { code: 'STRIPE_AUTHENTICATION' },
    });
    expect(bad.stdout).not.toContain('sk_test_revoked1');

    // A malformed key never leaves the machine: exit 2, named by where it came from.
    const malformed = await runCli(['connection', 'test', '--json'], {
      STRIPE_API_KEY: 'sk_test_bad-key!',
      STRIPE_API_BASE: emulator.url,
    });
    expect(malformed.code).toBe(2);
    expect(JSON.parse(malformed.stdout)).toMatchObject({
      ok: false,
      diagnosis: expect.stringMatching(/^bad key: it is not a Stripe API key/),
      error: { code: 'CONNECTION_INVALID', message: expect.stringMatching(/^STRIPE_API_KEY: /) },
    });
    expect(malformed.stdout).not.toContain('sk_test_bad-key!');

    const f = file(
      'badpw.yaml',
      `name: p\nbaseUrl: ${emulator.url}\nproxy: { enabled: true, url: 'http://127.0.0.1:${proxy.port}', authScheme: BASIC, user: u, password: env:PW }\n`,
    );
    const pw = await runCli(['connection', 'test', '--connection', f], {
      STRIPE_API_KEY: 'sk_test_cli3',
      PW: 'wrong',
    });
    expect(pw.code).toBe(1);
    expect(pw.stderr).toMatch(/^error PROXY_AUTH_FAILED: proxy authentication failed/);

    const down = await runCli(['connection', 'test', '--json'], {
      STRIPE_API_KEY: 'sk_test_cli4',
      STRIPE_API_BASE: 'http://127.0.0.1:1',
    });
    expect(JSON.parse(down.stdout)).toMatchObject({
      ok: false,
      error: { code: 'CONNECTION_FAILED' },
      diagnosis: expect.stringMatching(/^cannot reach/),
    });

    const mode = file('mode.yaml', 'name: m\nmode: live\n');
    const wrong = await runCli(['connection', 'test', '--connection', mode, '--json'], {
      STRIPE_API_KEY: 'sk_test_cli5',
    });
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stdout)).toMatchObject({
      ok: false,
      diagnosis: expect.stringMatching(/^wrong mode/),
    });
  });

  it('names the wrong key of a connection file and refuses literal keys', async () => {
    const f = file('typo.yaml', 'name: t\napiKey: env:STRIPE_API_KEY\nproxy: { enabeld: true }\n');
    const r = await runCli(['connection', 'test', '--connection', f], { STRIPE_API_KEY: 'sk_test_x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('proxy.enabeld: unknown key');
    const lit = file('lit.yaml', 'name: t\napiKey: sk_test_literal123\n');
    const l = await runCli(['connection', 'show', '--connection', lit]);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/apiKey: a literal secret is not allowed in a connection file/);
    expect(l.stderr).not.toContain('sk_test_literal123');
  });
});
