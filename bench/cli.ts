/**
 * Start-up cost of a CLI call, as a ratio against `node -e 0` measured in the same run (so the
 * machine's load cancels out): `--help` and `entities --json`, through bin/ as a user runs it
 * (the dist/ build when current, which `npm install` makes). Goal: ≤ 4×.
 * Usage: npm run bench:cli [-- runs]   (default 15 runs of each, interleaved; medians)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const bin = `${root}bin/stripe-connector.js`;
const cases: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'stripe-connector --help': [bin, '--help'],
  'stripe-connector entities --json': [bin, 'entities', '--json'],
  'stripe-connector --help (sources via tsx)': [bin, '--help'],
};
const fromSource = new Set(['stripe-connector --help (sources via tsx)']);

execFileSync(process.execPath, [`${root}bin/build.mjs`]);
const env = { ...process.env, STRIPE_CONNECTOR_FROM_SOURCE: '0' };
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, {
      env: fromSource.has(name) ? { ...env, STRIPE_CONNECTOR_FROM_SOURCE: '1' } : env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
    times[name]!.push(performance.now() - started);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times['node -e 0']!);
console.log(`| command | median ms | × node -e 0 |`);
console.log(`| --- | ---: | ---: |`);
for (const name of Object.keys(cases)) {
  const ms = median(times[name]!);
  console.log(`| \`${name}\` | ${ms.toFixed(0)} | ${(ms / base).toFixed(1)}× |`);
}
