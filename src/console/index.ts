/**
 * The web console as a Fastify plugin: a server-rendered HTML shell at `/` and its static modules
 * (plain browser JavaScript, no build step, no CDN) under `/console/`. Everything it serves is the
 * package's own files, read once at registration, so the console works offline. The pages call the
 * same /api routes as any client, with the token the user signs in with (kept in sessionStorage and
 * sent only as an Authorization header); the shell and its assets carry no data and are public.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { renderShell } from './shell.ts';

export interface ConsoleOptions {
  /** The title in the header and the tab (default "stripe-connector"). */
  title?: string;
}

// Two folders up from this module (src/console/ or, when built, dist/chunks/) is the package root,
// so the assets are found from the sources and from the build alike.
export const ASSETS_DIR = fileURLToPath(new URL('../../src/console/public/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Every asset by its path under /console/ (a fixed list: no path from a request reaches the disk). */
export function loadAssets(dir = ASSETS_DIR): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    const type = TYPES[extname(file)];
    if (type) assets.set(file.split('\\').join('/'), { type, body: readFileSync(join(dir, file)) });
  }
  return assets;
}

export function consolePlugin(options: ConsoleOptions = {}) {
  const assets = loadAssets();
  const shell = renderShell(options.title ?? 'stripe-connector');
  return async (app: FastifyInstance) => {
    const config = { access: 'public' as const };
    const schema = { hide: true };
    app.get('/', { config, schema }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(shell),
    );
    for (const [path, asset] of assets)
      app.get(`/console/${path}`, { config, schema }, async (_request, reply) =>
        reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body),
      );
  };
}
