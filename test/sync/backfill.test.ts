/**
 * Backfill of 20,000 objects across 5 entities, killed (SIGKILL, a real child process) mid-way and
 * resumed: every object lands exactly once, and the resumed run does not start over. On SQLite and
 * on PostgreSQL (skipped, saying why, when no server answers).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { runSync, syncStatus } from '../../src/sync/index.ts';
import {
  contextFor,
  dropTarget,
  ENTITIES,
  freshTarget,
  loadFixture,
  pgUnreachable,
  tableIds,
} from './support.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const pgSkip = await pgUnreachable();
if (pgSkip) console.warn(`backfill.test.ts (postgres) skipped: ${pgSkip}`);

/** Runs the child until it has committed `pages` pages, then kills it with SIGKILL. */
function killMidway(
  emulatorUrl: string,
  to: string,
  pages: number,
): Promise<{ pages: number; finished: boolean }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, emulatorUrl, to, ENTITIES.join(',')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let finished = false;
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        const msg = JSON.parse(line) as { pages?: number; done?: boolean };
        if (msg.done) finished = true;
        seen = Math.max(seen, msg.pages ?? 0);
        if (seen >= pages && proc.exitCode === null) proc.kill('SIGKILL');
      }
    });
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code, signal) =>
      signal === 'SIGKILL' || code === 0
        ? resolve({ pages: seen, finished })
        : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
}

describe.each([
  ['sqlite', undefined],
  ['postgres', pgSkip],
] as const)('backfill on %s', (dialect, skip) => {
  let emulator: Emulator;
  let ids: Record<string, string[]>;
  const to = freshTarget(dialect);
  beforeAll(async () => {
    if (skip) return;
    emulator = await startEmulator({ port: 0 });
    ids = loadFixture(emulator);
  });
  afterAll(async () => {
    await emulator?.close();
    if (!skip) await dropTarget(to);
  });

  it.skipIf(Boolean(skip))(
    'is killed mid-way, resumes, and holds every object exactly once',
    async () => {
      // What an uninterrupted backfill fetches (the slicing depends on the data only).
      const listed = () =>
        emulator.requests.filter((r) => r.method === 'GET' && !r.path.startsWith('/v1/events')).length;
      const fresh = contextFor(emulator);
      emulator.clearRequests();
      await runSync(fresh, { to: freshTarget('sqlite'), entities: ENTITIES, once: true }).finally(() =>
        fresh.gateway.close(),
      );
      const uninterrupted = listed();
      // Slow answers so the kill lands mid-backfill (about 220 pages in all).
      emulator.setConditions({ latency: { ms: 15 } });
      const killed = await killMidway(emulator.url, to, 40);
      expect(killed.finished).toBe(false);
      const partial = await syncStatus(to);
      const rowsBefore = partial.entities.reduce((n, e) => n + e.rows, 0);
      expect(rowsBefore).toBeGreaterThan(0);
      expect(rowsBefore).toBeLessThan(20_000);
      emulator.setConditions({ latency: { ms: 0 } });

      const ctx = contextFor(emulator);
      emulator.clearRequests();
      try {
        const summary = await runSync(ctx, { to, entities: ENTITIES, once: true, concurrency: 8 });
        expect(summary.backfill.every((b) => b.done)).toBe(true);
      } finally {
        await ctx.gateway.close();
      }
      // Resumed, not restarted: pages committed before the kill are not fetched again (only the
      // ones in flight when it died, at most one per worker).
      expect(listed()).toBeLessThanOrEqual(uninterrupted - killed.pages + 4);
      const status = await syncStatus(to);
      for (const [resource, expected] of Object.entries(ids)) {
        const got = await tableIds(to, resource);
        expect(got.rows, resource).toBe(expected.length);
        expect(got.ids, resource).toEqual([...expected].sort());
      }
      expect(status.entities.map((e) => [e.entity, e.rows, e.backfill.done])).toEqual(
        expect.arrayContaining(ENTITIES.map((e) => [e, expect.any(Number), true])),
      );
      expect(status.entities.reduce((n, e) => n + e.rows, 0)).toBe(20_000);
    },
    60_000,
  );
});
