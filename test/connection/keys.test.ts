/** API keys are checked wherever they enter (environment, file, code); the message names where. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionFromEnv, loadConnectionFile, parseConnection } from '../../src/connection/load.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { expectConnectorError } from '../support/errors.ts';

const BAD = [
  'sk_test_ab cd',
  'sk_test_ab\ncd',
  'sk_test_ab\tcd',
  'sk_test_ab\u0000cd',
  'sk_test_ab-cd',
  'sk_prod_abc',
  'abc',
];

describe('API key validation', () => {
  it.each(BAD)('refuses %j from the environment, naming STRIPE_API_KEY, never the key', (key) => {
    const error = expectConnectorError(
      () => connectionFromEnv({ STRIPE_API_KEY: key }),
      'CONNECTION_INVALID',
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^STRIPE_API_KEY: not a Stripe API key/);
    expect(JSON.stringify(error.toJSON())).not.toContain(key.slice(0, 10));
  });

  it.each(BAD)('refuses %j from a connection file, naming the file and the reference', (key) => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    const file = join(dir, 'x.yaml');
    writeFileSync(file, 'name: x\napiKey: env:MY_KEY\n');
    const error = expectConnectorError(
      () => loadConnectionFile(file, { env: { MY_KEY: key } }),
      'CONNECTION_INVALID',
    );
    expect(error.message).toContain(`connection file ${file}: apiKey (env:MY_KEY): not a Stripe API key`);
    expect(error.message).not.toContain(key.slice(0, 10));
  });

  it.each(BAD)('refuses %j given in code', (key) => {
    const error = expectConnectorError(
      () => parseConnection({ name: 'a', apiKey: key }, { allowLiteralSecrets: true }),
      'CONNECTION_INVALID',
    );
    expect(error.message).toMatch(/^apiKey: not a Stripe API key/);
    expectConnectorError(
      () => createGateway({ apiKey: key, baseUrl: 'http://127.0.0.1:9' }),
      'CONNECTION_INVALID',
    );
  });

  it('says what is wrong: whitespace, characters, prefix', () => {
    const msg = (key: string) =>
      expectConnectorError(() => connectionFromEnv({ STRIPE_API_KEY: key })).message;
    expect(msg('sk_test_ab cd')).toMatch(/whitespace or a control character/);
    expect(msg('sk_test_ab-cd')).toMatch(/other than letters, digits/);
    expect(msg('pk_test_abc')).toMatch(/publishable key/);
  });

  it('takes real key forms, test and live, secret and restricted', () => {
    for (const [key, mode] of [
      ['sk_test_51AbC', 'test'],
      ['rk_live_9zZ_x', 'live'],
    ]) {
      expect(connectionFromEnv({ STRIPE_API_KEY: key }).mode).toBe(mode);
    }
  });
});
