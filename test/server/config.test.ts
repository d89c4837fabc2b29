/** The server config file: defaults, exact key paths in errors, connections inline or from files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.ts';
import { createServer, loadServerConfig, parseServerConfig } from '../../src/server/index.ts';

function failure(run: () => unknown): ConnectorError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('server config', () => {
  it('defaults to 127.0.0.1:8080, no CORS, 1 MiB bodies', () => {
    const config = parseServerConfig({});
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.cors).toBeUndefined();
    expect(config.limits.bodyBytes).toBe(1024 * 1024);
  });

  it('names the exact key path of a bad value, an unknown key and a literal secret', () => {
    expect(failure(() => parseServerConfig({ listen: { port: 'eighty' } })).details.field).toBe(
      'listen.port',
    );
    expect(failure(() => parseServerConfig({ limits: { rateLimt: {} } })).details.field).toBe(
      'limits.rateLimt',
    );
    const literal = failure(() =>
      parseServerConfig({
        connections: [
          { name: 'a', apiKey: 'env:K' },
          { name: 'b', apiKey: 'sk_test_abcdef' },
        ],
      }),
    );
    expect(literal.details.field).toBe('connections.1.apiKey');
    expect(literal.message).not.toContain('sk_test_abcdef');
    const typo = failure(() =>
      parseServerConfig({ connections: [{ name: 'a', proxy: { enabled: false, sslTpye: 'X' } }] }),
    );
    expect(typo.details.field).toBe('connections.0.proxy.sslTpye');
    const dup = failure(() => parseServerConfig({ connections: [{ name: 'a' }, { name: 'a' }] }));
    expect(dup.details.field).toBe('connections.1.name');
    expect(failure(() => parseServerConfig({ dataDir: 'd', storeUrl: 'postgres://x' })).details.field).toBe(
      'storeUrl',
    );
  });

  it('reads connections from files relative to the config, and serves them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-config-'));
    writeFileSync(join(dir, 'key.txt'), 'sk_test_fromfile123\n');
    writeFileSync(join(dir, 'shop.yaml'), 'name: shop\napiKey: file:key.txt\nbaseUrl: http://127.0.0.1:9\n');
    writeFileSync(
      join(dir, 'server.yaml'),
      'listen: { port: 9090 }\ncors: { origins: [https://console.example] }\nconnections:\n  - file: shop.yaml\n',
    );
    const config = loadServerConfig(join(dir, 'server.yaml'));
    expect(config.listen.port).toBe(9090);
    expect(config.connections[0]).toMatchObject({
      origin: 'file',
      baseDir: dir,
      definition: { name: 'shop' },
    });
    const server = await createServer({ config, log: { level: 'silent' } });
    const ctx = await server.registry.context('shop');
    expect(ctx.gateway.mode).toBe('test');
    const preflight = await server.app.inject({
      method: 'OPTIONS',
      url: '/api/entities',
      headers: { origin: 'https://console.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBe('https://console.example');
    await server.close();
    expect(failure(() => loadServerConfig(join(dir, 'missing.yaml'))).message).toMatch(
      /cannot read server config/,
    );
  });
});
