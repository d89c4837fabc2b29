#!/usr/bin/env node
// Runs the CLI: the build in dist/ (made by `npm install`) when it is newer than every source file,
// else the TypeScript sources through tsx, so an edit is never hidden behind a stale build.
// STRIPE_CONNECTOR_FROM_SOURCE=1 always runs the sources (the tests do).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function builtAt() {
  try {
    return statSync(`${root}dist/build-stamp`).mtimeMs;
  } catch {
    return -1;
  }
}

function newestSource() {
  let newest = statSync(`${root}package.json`).mtimeMs;
  for (const file of readdirSync(`${root}src`, { recursive: true })) {
    newest = Math.max(newest, statSync(`${root}src/${file}`).mtimeMs);
  }
  return newest;
}

const fromSource = process.env.STRIPE_CONNECTOR_FROM_SOURCE === '1' || builtAt() < newestSource();
let main;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
