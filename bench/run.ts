/**
 * Runs the benchmarks in bench/ (each module exports `run()`), or only those named:
 *   npm run bench [-- gateway entities]
 * BENCH_QUICK=1 scales every benchmark down for a smoke run.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const wanted = process.argv.slice(2);
const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => !wanted.length || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();
for (const file of files) {
  const mod = await import(new URL(file, import.meta.url).href);
  if (typeof mod.run !== 'function') continue;
  console.log(`\n## ${file.replace(/\.ts$/, '')}`);
  await mod.run();
}
