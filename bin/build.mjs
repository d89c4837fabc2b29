#!/usr/bin/env node
// Builds the CLI into dist/ (run by `npm install` through the `prepare` script) so a CLI call runs
// plain JavaScript instead of transpiling the sources on every start. Packages stay external
// (resolved from node_modules); dynamic imports become chunks, loaded only by the command that
// needs them. Entry and chunks sit two folders deep, as their sources do, so paths they resolve
// from import.meta.url (../../catalog/, ../../package.json) hold in both.
// Usage: node bin/build.mjs [outdir]   (default: dist)
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(root, process.argv[2] ?? 'dist');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
// The stamp's time is what bin/stripe-connector.js compares with the sources' to know dist is current.
writeFileSync(resolve(outdir, 'build-stamp'), `${new Date().toISOString()}\n`);
