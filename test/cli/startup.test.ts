/**
 * Declaring the program stays cheap: what `main.ts` loads before a command runs (its static import
 * graph, as the build bundles it) holds none of the heavy packages; each command imports its
 * engine when it runs.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HEAVY = ['stripe', 'node-sql-parser', 'zod', 'yaml', 'qs', 'https-proxy-agent', 'http-proxy-agent'];

describe('CLI start-up', () => {
  it('main.ts statically loads no heavy package: they come with the command that runs', async () => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/cli/main.ts'],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      outdir: 'out',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const outputs = result.metafile.outputs;
    const loaded = new Set<string>();
    const visit = (file: string) => {
      for (const imp of outputs[file]?.imports ?? []) {
        if (imp.kind !== 'import-statement' || loaded.has(imp.path)) continue;
        loaded.add(imp.path);
        visit(imp.path);
      }
    };
    visit('out/main.js');
    const heavy = [...loaded].filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)));
    expect(heavy).toEqual([]);
    expect(loaded.has('commander')).toBe(true);
  });
});
