import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionFromEnv, loadConnectionFile, parseConnection } from '../../src/connection/load.ts';
import { expectConnectorError } from '../support/errors.ts';

const env = { STRIPE_API_KEY: 'sk_test_abc123', LIVE_KEY: 'sk_live_zz9', PROXY_PW: 'pw-secret' };

const errorOf = (fn: () => unknown) => expectConnectorError(fn);

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'conn-'));
}

describe('connection files', () => {
  it('loads YAML with defaults, derives the mode and resolves env: and file: references', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'pw.txt'), 'from-file\nsecond line ignored\n');
    writeFileSync(
      join(dir, 'c.yaml'),
      [
        'name: prod-eu-1',
        'description: main account',
        'labels: { team: billing }',
        'apiKey: env:LIVE_KEY',
        'accountId: acct_123',
        'proxy:',
        '  enabled: true',
        '  url: proxy.local:3128',
        '  authScheme: digest',
        '  user: alice',
        '  password: file:pw.txt',
        'logging: { verbosity: 3 }',
      ].join('\n'),
    );
    const c = loadConnectionFile(join(dir, 'c.yaml'), { env });
    expect(c).toMatchObject({
      name: 'prod-eu-1',
      mode: 'live',
      apiKey: 'sk_live_zz9',
      accountId: 'acct_123',
      baseUrl: 'https://api.stripe.com',
      apiVersion: '2023-08-16',
      labels: { team: 'billing' },
      logging: { enabled: true, level: 'debug', verbosity: 3 },
      throttle: { tps: 95, maxRetries: 4 },
    });
    expect(c.proxy).toMatchObject({
      authScheme: 'DIGEST',
      sslType: 'AUTO',
      user: 'alice',
      password: 'from-file',
    });
    expect(c.proxy!.url.href).toBe('http://proxy.local:3128/');
  });

  it('accepts JSON and the Google Terraform variable names as aliases', () => {
    const dir = tmp();
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'tf',
        account_id: 'acct_9',
        verbosity: 5,
        proxy_enabled: true,
        proxy_auth_scheme: 'BASIC',
        proxy_user: 'bob',
        proxy_password: 'env:PROXY_PW',
        proxy_ssltype: 'tunnel',
        proxy: { url: 'http://127.0.0.1:8080' },
      }),
    );
    const c = loadConnectionFile(file, { env });
    expect(c.mode).toBe('test');
    expect(c.accountId).toBe('acct_9');
    expect(c.logging.verbosity).toBe(5);
    expect(c.proxy).toMatchObject({
      authScheme: 'BASIC',
      sslType: 'TUNNEL',
      user: 'bob',
      password: 'pw-secret',
    });
  });

  it('refuses a literal key in a file, saying so, without echoing it', () => {
    const dir = tmp();
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'name: x\napiKey: sk_test_leaky\n');
    const e = errorOf(() => loadConnectionFile(file, { env }));
    expect(e.code).toBe('CONNECTION_INVALID');
    expect(e.message).toMatch(
      /apiKey: a literal secret is not allowed in a connection file; write env:VAR or file:PATH/,
    );
    expect(e.message).not.toContain('sk_test_leaky');
  });

  it('says where a file fails to parse without quoting its lines (they may hold a literal secret)', () => {
    const dir = tmp();
    const yamlFile = join(dir, 'broken.yaml');
    writeFileSync(yamlFile, 'name: x\nproxy: {password: hunter2-literal\n  bad: [\n');
    const jsonFile = join(dir, 'broken.json');
    writeFileSync(jsonFile, '{"name": "x", "apiKey": "sk_test_LeakMe42" "oops"}');
    for (const [file, secret] of [
      [yamlFile, 'hunter2-literal'],
      [jsonFile, 'sk_test_LeakMe42'],
    ]) {
      const e = errorOf(() => loadConnectionFile(file, { env }));
      expect(e.code).toBe('CONNECTION_INVALID');
      expect(e.message).toMatch(/not valid YAML\/JSON: .+ at line \d+, column \d+$/);
      expect(JSON.stringify(e)).not.toContain(secret);
    }
  });

  it('names unknown keys and bad values by their path', () => {
    const e = errorOf(() =>
      parseConnection(
        {
          name: 'Bad_Name',
          proxy: { enabled: true, url: 'http://p:1', sslTpye: 'AUTO', authScheme: 'KERBEROS' },
          colour: 1,
        },
        { env },
      ),
    );
    expect(e.message).toContain('colour: unknown key');
    expect(e.message).toContain('proxy.sslTpye: unknown key');
    expect(e.message).toMatch(/name: must be lowercase letters/);
    expect(e.message).toMatch(/proxy\.authScheme: must be one of BASIC, DIGEST, NONE/);
    expect(e.details.keys).toEqual(
      expect.arrayContaining(['colour', 'proxy.sslTpye', 'name', 'proxy.authScheme']),
    );
  });

  it('applies the name rules', () => {
    for (const good of ['a', 'a1', 'my-conn-2', 'x'.repeat(63)])
      expect(parseConnection({ name: good }, { env }).name).toBe(good);
    for (const bad of ['1abc', 'abc-', 'ABC', 'a_b', 'x'.repeat(64), '']) {
      expect(errorOf(() => parseConnection({ name: bad }, { env })).message).toMatch(
        /^invalid connection code: name: /,
      );
    }
  });

  it('requires the proxy url and credentials it needs, and a resolvable secret', () => {
    expect(
      errorOf(() => parseConnection({ name: 'a', proxy: { enabled: true } }, { env })).message,
    ).toContain('proxy.url: is required when the proxy is enabled');
    const e = errorOf(() =>
      parseConnection(
        { name: 'a', proxy: { enabled: true, url: 'http://p:1', authScheme: 'BASIC' } },
        { env },
      ),
    );
    expect(e.message).toContain('proxy.user: is required for authScheme BASIC');
    expect(e.message).toContain('proxy.password: is required for authScheme BASIC');
    const s = errorOf(() => parseConnection({ name: 'a', apiKey: 'env:NOPE' }, { env }));
    expect(s.code).toBe('SECRET_UNRESOLVED');
    expect(s.message).toBe('apiKey: environment variable NOPE is not set');
    expect(
      errorOf(() => parseConnection({ name: 'a', apiKey: 'file:/nonexistent/k' }, { env })).message,
    ).toMatch(/apiKey: cannot read secret file \/nonexistent\/k \(ENOENT\)/);
  });

  it('rejects conflicting aliases, wrong modes, publishable keys and credentials in the proxy URL', () => {
    expect(
      errorOf(() => parseConnection({ name: 'a', account_id: 'acct_1', accountId: 'acct_2' }, { env }))
        .message,
    ).toMatch(/account_id conflicts with accountId/);
    expect(errorOf(() => parseConnection({ name: 'a', mode: 'live' }, { env })).message).toMatch(
      /wrong mode: connection a is declared live but its apiKey is a test-mode key/,
    );
    expect(
      errorOf(() => parseConnection({ name: 'a', apiKey: 'pk_test_1' }, { allowLiteralSecrets: true }))
        .message,
    ).toMatch(/publishable key/);
    expect(
      errorOf(() => parseConnection({ name: 'a', proxy: { enabled: true, url: 'http://u:p@h:1' } }, { env }))
        .message,
    ).toMatch(/proxy.url: must not contain credentials/);
  });

  it('takes one proxy address or a list (url: [...], urls, proxy_urls), checking each', () => {
    const hrefs = (input: Record<string, unknown>) =>
      parseConnection({ name: 'a', ...input }, { env }).proxy!.urls.map((u) => u.href);
    const one = parseConnection({ name: 'a', proxy: { enabled: true, url: 'p1:3128' } }, { env }).proxy!;
    expect(one.urls.map((u) => u.href)).toEqual(['http://p1:3128/']);
    expect(one.url.href).toBe('http://p1:3128/');
    expect(one.connectTimeoutMs).toBe(10_000);
    const list = ['p1:3128', 'https://p2:8443'];
    const want = ['http://p1:3128/', 'https://p2:8443/'];
    expect(hrefs({ proxy: { enabled: true, url: list } })).toEqual(want);
    expect(hrefs({ proxy: { enabled: true, urls: list } })).toEqual(want);
    expect(hrefs({ proxy_enabled: true, proxy_urls: list })).toEqual(want);
    expect(hrefs({ proxy_enabled: true, proxy_url: list })).toEqual(want);
    const many = parseConnection(
      { name: 'a', timeoutMs: 3000, proxy: { enabled: true, urls: list } },
      { env },
    ).proxy!;
    expect(many.url.href).toBe('http://p1:3128/');
    // The connect timeout never exceeds the request timeout unless set.
    expect(many.connectTimeoutMs).toBe(3000);

    expect(
      errorOf(() =>
        parseConnection({ name: 'a', proxy: { enabled: true, url: 'p1:1', urls: ['p2:2'] } }, { env }),
      ).message,
    ).toContain('proxy.urls: conflicts with proxy.url: give only one of them');
    expect(
      errorOf(() =>
        parseConnection({ name: 'a', proxy: { enabled: true, urls: ['p1:1', 'not a proxy'] } }, { env }),
      ).message,
    ).toContain('proxy.urls.1: must be http://host:port, https://host:port or host:port');
    expect(
      errorOf(() => parseConnection({ name: 'a', proxy: { enabled: true, urls: [] } }, { env })).code,
    ).toBe('CONNECTION_INVALID');
    const creds = errorOf(() =>
      parseConnection(
        { name: 'a', proxy: { enabled: true, url: ['http://p1:1', 'http://u:p@p2:2'] } },
        { env },
      ),
    );
    expect(creds.message).toMatch(/^proxy\.url\.1: must not contain credentials/);
    expect(creds.message).not.toContain('u:p@');
  });

  it('builds the environment connection, keeping the STRIPE_* path', () => {
    const c = connectionFromEnv({
      STRIPE_API_KEY: 'rk_test_1',
      STRIPE_ACCOUNT: 'acct_7',
      STRIPE_API_BASE: 'http://127.0.0.1:1/',
    });
    expect(c).toMatchObject({
      mode: 'test',
      accountId: 'acct_7',
      baseUrl: 'http://127.0.0.1:1',
      throttle: { tps: 24 },
      source: 'environment',
    });
    expect(errorOf(() => connectionFromEnv({})).code).toBe('SECRET_UNRESOLVED');
  });
});

describe('the example connection file in examples/', () => {
  it('is valid and keeps its secrets as references', () => {
    const file = new URL('../../examples/connection.yaml', import.meta.url).pathname;
    const c = loadConnectionFile(file, { env: { ...env, PROXY_PASSWORD: 'pw' } });
    expect(c.name).toBe('billing-eu-1');
    expect(c.mode).toBe('test');
    expect(c.throttle).toMatchObject({ tps: 20, burst: 5, maxRetries: 4 });
    expect(c.proxy).toBeUndefined();
  });
});
