/** The build `npm install` makes (dist/) runs the same CLI as the sources. */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string }>((resolve) => {
    const env = { ...process.env, STRIPE_CONNECTOR_FROM_SOURCE: '0' };
    execFile(
      process.execPath,
      [`${root}bin/stripe-connector.js`, ...args],
      { env, maxBuffer: 1 << 26 },
      (e, stdout) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout }),
    );
  });

describe('dist build', () => {
  it('builds, and the built CLI answers like the sources', async () => {
    execFileSync(process.execPath, [`${root}bin/build.mjs`], { cwd: root });
    expect(readFileSync(`${root}dist/build-stamp`, 'utf8')).toMatch(/^\d{4}-/);
    const entities = await run(['entities', '--json']);
    expect(entities.code).toBe(0);
    expect(JSON.parse(entities.stdout).find((e: { entity: string }) => e.entity === 'Customer')).toBeTruthy();
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    expect((await run(['--version'])).stdout.trim()).toBe(pkg.version);
  });
});
