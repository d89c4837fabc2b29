/** How code, files and the environment combine: what is given wins, the environment fills the rest. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConnectionFile } from '../../src/connection/load.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { fetchAccount } from '../../src/gateway/account.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
afterEach(() => vi.unstubAllEnvs());

const dir = mkdtempSync(join(tmpdir(), 'env-defaults-'));
function file(text: string): string {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('the library reads the environment like the CLI', () => {
  it('createGateway({ apiKey }) honours STRIPE_API_BASE and STRIPE_ACCOUNT from process.env', async () => {
    vi.stubEnv('STRIPE_API_BASE', emulator.url);
    vi.stubEnv('STRIPE_ACCOUNT', 'acct_1EnvDefault');
    const gateway = createGateway({ apiKey: 'sk_test_envdefaults' });
    await gateway.request({ method: 'GET', path: '/v1/customers' });
    const sent = emulator.requests.at(-1)!;
    expect(sent.path).toBe('/v1/customers');
    expect(sent.account).toBe('acct_1EnvDefault');
    await gateway.close();
  });

  it('createGateway() takes the key too; options given in code win over the environment', async () => {
    const gateway = createGateway({
      baseUrl: emulator.url,
      env: { STRIPE_API_KEY: 'sk_live_fromenv', STRIPE_API_BASE: 'http://127.0.0.1:1' },
    });
    expect(gateway.mode).toBe('live');
    await fetchAccount(gateway);
    await gateway.close();
    expect(() => createGateway({ env: {} })).toThrow(
      /apiKey \(env:STRIPE_API_KEY\)|STRIPE_API_KEY is not set/,
    );
  });
});

describe('a connection file and the environment', () => {
  const env = {
    STRIPE_API_KEY: 'sk_test_file1',
    STRIPE_API_BASE: 'http://127.0.0.1:12111',
    STRIPE_ACCOUNT: 'acct_1Env',
  };

  it('the environment fills baseUrl and accountId when the file leaves them out', () => {
    const c = loadConnectionFile(file('name: f\napiKey: env:STRIPE_API_KEY\n'), { env });
    expect(c).toMatchObject({ baseUrl: 'http://127.0.0.1:12111', accountId: 'acct_1Env' });
  });

  it('what the file sets wins over the environment', () => {
    const c = loadConnectionFile(
      file('name: f\nbaseUrl: https://stripe.internal\naccount_id: acct_1File\n'),
      { env },
    );
    expect(c).toMatchObject({ baseUrl: 'https://stripe.internal', accountId: 'acct_1File' });
  });

  it('without either, real Stripe', () => {
    const c = loadConnectionFile(file('name: f\n'), { env: { STRIPE_API_KEY: 'sk_test_x' } });
    expect(c.baseUrl).toBe('https://api.stripe.com');
    expect(c.accountId).toBeUndefined();
  });

  it('examples/connection.yaml reaches the emulator with the environment npm start prints', async () => {
    const example = loadConnectionFile('examples/connection.yaml', {
      env: { STRIPE_API_KEY: 'sk_test_demo', STRIPE_API_BASE: emulator.url },
    });
    const gateway = createGateway(example, { logSink: () => {} });
    expect((await fetchAccount(gateway)).id).toMatch(/^acct_/);
    await gateway.close();
  });
});
