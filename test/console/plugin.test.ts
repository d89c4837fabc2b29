/** The console plugin: a public shell and assets from the package, no inline script, no data. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSETS_DIR, consolePlugin, loadAssets } from '../../src/console/index.ts';
import { renderShell } from '../../src/console/shell.ts';
import { createServer, issueToken, type Server } from '../../src/server/index.ts';

let server: Server;
let token: string;
beforeAll(async () => {
  server = await createServer({ plugins: [consolePlugin()], log: { level: 'silent' } });
  token = (await issueToken(server.ports.tokens, { scopes: ['read'] })).token;
});
afterAll(() => server.close());

describe('consolePlugin', () => {
  it('serves the shell at / without a token, under the server CSP, with no inline script', async () => {
    const res = await server.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<script type="module" src="/console/app.js"></script>');
    // Every script is a file of the package: no inline code, nothing from another origin.
    expect(res.body).not.toMatch(/<script(?![^>]*src="\/console\/)[^>]*>/);
    expect(res.body).not.toMatch(/https?:\/\//);
    expect(res.body).toContain('<label for="connection-select">');
  });

  it('serves every module and stylesheet of the package with its type; nothing else', async () => {
    const assets = loadAssets();
    expect([...assets.keys()]).toEqual(
      expect.arrayContaining(['app.js', 'api.js', 'style.css', 'pages/entities.js', 'pages/triggers.js']),
    );
    for (const [path, asset] of assets) {
      const res = await server.app.inject({ url: `/console/${path}` });
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['content-type']).toBe(asset.type);
      if (path.endsWith('.js')) expect(res.body, path).not.toMatch(/from ['"]https?:|import\(['"]https?:/);
    }
    expect((await server.app.inject({ url: '/console/../index.ts' })).statusCode).not.toBe(200);
    const unknown = await server.app.inject({
      url: '/console/nope.js',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('leaves the API behind its tokens', async () => {
    expect((await server.app.inject({ url: '/api/connections' })).statusCode).toBe(401);
  });

  it('finds its assets from the sources and from a build two folders deep', () => {
    expect(ASSETS_DIR).toMatch(/src\/console\/public\/$/);
    const fromBuild = new URL('../../src/console/public/', 'file:///pkg/dist/chunks/console-x.js');
    expect(fromBuild.pathname).toBe('/pkg/src/console/public/');
  });

  it('escapes the title', () => {
    expect(renderShell('<b>x</b>')).toContain('&#60;b&#62;x&#60;/b&#62;');
  });
});
