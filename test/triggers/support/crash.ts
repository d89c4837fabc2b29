/**
 * The crash harness (the suite's crash test and bench/triggers-soak.ts): an emulator, one trigger
 * run by a real `trigger run` process that is killed with SIGKILL at random points while events
 * are being made, then a last runner that drains. Returns what the sink got and the queue order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../../src/emulator/index.ts';
import { openStore } from '../../../src/store/index.ts';
import type { InboxEvent } from '../../../src/triggers/ports.ts';
import { builtCli, cli, readLines, spawnRunner, until, type Cli } from './processes.ts';

export interface CrashOptions {
  events: number;
  kills: number;
  /** Random delay before each kill, ms after the runner said it runs. */
  killAfter?: [number, number];
  log?: (line: string) => void;
}

export interface CrashResult {
  /** Event ids in the order the sink received them (duplicates included). */
  received: Array<{ id: string; event_id: string }>;
  /** Event ids in the trigger's queue order (the store's delivery sequence). */
  queued: string[];
  /** Event ids in the order the emulator made them. */
  made: string[];
  kills: number;
  ms: number;
}

export async function crashRun(o: CrashOptions): Promise<CrashResult> {
  const log = o.log ?? (() => {});
  const started = Date.now();
  // Started 20 or 50 times: the build starts in a fraction of tsx's time.
  const build = await builtCli();
  const emulator = await startEmulator({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'trigger-crash-'));
  const c: Cli = {
    cwd: dir,
    bin: build.bin,
    env: {
      STRIPE_API_KEY: 'sk_test_crash',
      STRIPE_API_BASE: emulator.url,
      STRIPE_CONNECTOR_DATA: join(dir, 'data'),
    },
  };
  const out = join(dir, 'out.ndjson');
  try {
    // An account has history: one event older than the trigger, so its walks anchor on it as they
    // would on a real account (on an empty one, each poll first pages back to the oldest event,
    // and short-lived runners spend their life there). It is before the start: never delivered.
    // A trigger begins at the second it was added (events of that second are its own), so the
    // add waits for the next second.
    await produce(emulator.url, 1, 'seed');
    const [seed] = await eventsMade(emulator.url);
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    const add = await cli(c, [
      'trigger',
      'add',
      'crash',
      '--source',
      'events',
      '--event',
      'customer.created',
      '--sink',
      'file:out.ndjson',
      '--interval',
      '1s',
    ]);
    if (add.code) throw new Error(add.stderr);
    const store = await openStore({ dataDir: join(dir, 'data') });
    try {
      // The first poll sets the checkpoint (from the add): events made after it are the trigger's.
      let runner = spawnRunner(c);
      try {
        await until(async () => Boolean(await store.checkpoints.get('crash', 'poll')), 30_000);
        const made = produce(emulator.url, o.events);
        const [lo, hi] = o.killAfter ?? [50, 900];
        for (let k = 0; k < o.kills; k++) {
          // Killed at a random point of its work (not of its start-up, which would test nothing).
          await runner.started;
          await new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));
          runner.child.kill('SIGKILL');
          await runner.exited;
          log(`kill ${k + 1}: ${new Set(readLines(out).map((l) => l.event_id)).size} delivered`);
          runner = spawnRunner(c);
        }
        await made;
        // The last runner drains what is left, at the trigger's default rate limit (100/s) at best.
        const drainMs = Math.max(120_000, o.events * 40);
        await until(() => new Set(readLines(out).map((l) => l.event_id)).size >= o.events, drainMs);
      } catch (error) {
        throw new Error(
          `${(error as Error).message}; the last runner said:\n${runner.stderr().slice(-2000)}`,
        );
      } finally {
        // Never left running, whatever failed.
        runner.child.kill('SIGTERM');
        await runner.exited;
      }
      const queued: string[] = [];
      for (let after: number | undefined; ;) {
        const page = await store.deliveries.list<InboxEvent>('crash', { afterId: after, limit: 1000 });
        queued.push(...page.map((j) => j.payload.id));
        if (page.length < 1000) break;
        after = page.at(-1)?.id;
      }
      const received = readLines(out).map((l) => ({ id: l.id as string, event_id: l.event_id as string }));
      return {
        received,
        queued,
        made: (await eventsMade(emulator.url)).filter((id) => id !== seed),
        kills: o.kills,
        ms: Date.now() - started,
      };
    } finally {
      await store.close();
    }
  } finally {
    await emulator.close();
    rmSync(build.dir, { recursive: true, force: true });
  }
}

/** Makes `count` customers (each a customer.created event), a few requests at a time. */
async function produce(base: string, count: number, tag = 'c'): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await fetch(`${base}/v1/customers`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk_test_crash',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ email: `${tag}${i}@crash.test` }),
      });
      // Spread the events over the kills rather than make them all before the first one.
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 100));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

async function eventsMade(base: string): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor: string | undefined; ;) {
    const q = new URLSearchParams({
      type: 'customer.created',
      limit: '100',
      ...(cursor ? { starting_after: cursor } : {}),
    });
    const page = (await (
      await fetch(`${base}/v1/events?${q}`, { headers: { authorization: 'Bearer sk_test_crash' } })
    ).json()) as {
      data: Array<{ id: string }>;
      has_more: boolean;
    };
    ids.push(...page.data.map((e) => e.id));
    if (!page.has_more) return ids.reverse();
    cursor = page.data.at(-1)?.id;
  }
}

/** Consecutive repeats collapsed: an at-least-once redelivery after a crash repeats the last line. */
export function collapse<T>(items: T[], key: (t: T) => string): string[] {
  const out: string[] = [];
  for (const item of items) if (out.at(-1) !== key(item)) out.push(key(item));
  return out;
}
