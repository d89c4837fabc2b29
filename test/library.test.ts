/**
 * The README's library example, taken from README.md itself (not a copy): installed from another
 * folder as the README says (a linked package), type-checked under the project's strict settings,
 * and run with tsx against the emulator, configured only by the environment.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as connector from '../src/index.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** The first ```ts block of a README section. */
export function codeBlock(markdown: string, heading: string): string {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(heading));
  const block = section && /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no ts code block under "## ${heading}" in README.md`);
  return block[1];
}

describe('the library, as the README shows it', () => {
  let emulator: Emulator;
  let app: string;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    // Another folder with the package installed as `npm install /path/to/stripe-connector` does: a link.
    app = mkdtempSync(join(tmpdir(), 'readme-app-'));
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(root, join(app, 'node_modules', 'stripe-connector'), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(
      join(app, 'app.ts'),
      codeBlock(readFileSync(join(root, 'README.md'), 'utf8'), 'Using it as a library'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: { typeRoots: [join(root, 'node_modules', '@types')] },
        include: ['app.ts'],
      }),
    );
  });
  afterAll(() => emulator.close());

  it('type-checks under strict', async () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '-p', join(app, 'tsconfig.json')]).catch(
      (error: { stdout: string }) => error,
    );
    expect(result.stdout).toBe('');
  }, 120_000);

  it('runs with tsx against the emulator, from the environment alone', async () => {
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const before = emulator.requests.length;
    const { stdout } = await run(process.execPath, [tsx, join(app, 'app.ts')], {
      cwd: app,
      env: { ...process.env, STRIPE_API_KEY: 'sk_test_readme', STRIPE_API_BASE: emulator.url },
    });
    const sent = emulator.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/customers', 'POST /v1/payment_intents']),
    );
    const confirm = sent.find((r) => /\/v1\/payment_intents\/pi_\w+\/confirm$/.test(r.path));
    expect(confirm?.status).toBe(200);
    expect(stdout).toMatch(/^cus_\w+ 1 \[/);
    expect(stdout).toMatch(/Success: 'true'/);
    expect(stdout).toMatch(/status: 'succeeded'/);
  }, 120_000);

  it('exports what the README imports', () => {
    for (const name of [
      'loadCatalog',
      'createGateway',
      'createEntity',
      'collect',
      'runAction',
      'loadConnectionFile',
    ]) {
      expect(typeof (connector as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
