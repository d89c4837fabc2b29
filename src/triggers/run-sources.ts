/**
 * The pollers as one service: per trigger a loop that takes the source's lease (one process polls
 * each source, whatever the number of runners), polls into the inbox, wakes the dispatcher when
 * something new arrived, and sleeps its interval. Stop lets the current batch commit.
 */
import type { ConnectorContext } from '../context.ts';
import type { Service } from '../lifecycle.ts';
import type { Store } from '../store/types.ts';
import type { TriggerDefinition } from './definition.ts';
import { sleepUnless } from '../lifecycle.ts';
import { pollEvents } from './sources/events.ts';
import { pollObjects } from './sources/objects.ts';
import type { StorePorts } from './store/ports.ts';

export interface PollServiceOptions {
  store: Store;
  ctx: ConnectorContext;
  ports: StorePorts;
  worker: string;
  triggers: TriggerDefinition[];
  overlapSeconds?: number;
  wake: (trigger: string) => void;
  log: (line: string) => void;
}

export const sourceLease = (trigger: string) => `source:${trigger}`;

export function pollService(opts: PollServiceOptions): Service {
  const stopping = new AbortController();
  const loops: Promise<void>[] = [];
  return {
    name: 'sources',
    start: async () => {
      for (const t of opts.triggers) loops.push(loop(opts, t, stopping.signal));
    },
    stop: async () => {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

async function loop(opts: PollServiceOptions, t: TriggerDefinition, signal: AbortSignal): Promise<void> {
  const ttl = Math.max(10_000, 3 * t.intervalMs);
  const onRefused = refusalLog(opts.log, t.name);
  while (!signal.aborted) {
    try {
      if (await opts.store.leases.acquire(sourceLease(t.name), opts.worker, ttl)) {
        const inserted = await pollOnce(opts, t, signal, onRefused);
        if (inserted) opts.wake(t.name);
      }
    } catch (error) {
      if (!signal.aborted) opts.log(`${t.name}: poll failed: ${(error as Error).message}`);
    }
    await sleepUnless(t.intervalMs, signal);
  }
  await opts.store.leases.release(sourceLease(t.name), opts.worker).catch(() => false);
}

/**
 * One log line per refused event: the overlap re-read lists it again for a while, and saying so
 * each time would bury the line (the ids remembered are few: a malformed event is rare).
 */
function refusalLog(log: (line: string) => void, trigger: string) {
  const told = new Set<string>();
  return (id: string, reason: string) => {
    if (told.has(id)) return;
    if (told.size >= 1000) told.clear();
    told.add(id);
    log(`${trigger}: skipped event ${id}, which cannot be delivered: ${reason}`);
  };
}

async function pollOnce(
  opts: PollServiceOptions,
  t: TriggerDefinition,
  signal: AbortSignal,
  onRefused: (id: string, reason: string) => void,
): Promise<number> {
  const { inbox, checkpoints, atomic } = opts.ports;
  // A trigger's first poll begins when it was added, not when a runner first got to it.
  const startAt = async () => {
    const row = await opts.store.triggers.get(t.name);
    return row && Math.floor(row.createdAt / 1000);
  };
  const common = { inbox, checkpoints, atomic, trigger: t.name, signal, startAt, onRefused };
  if (t.source === 'objects')
    return (await pollObjects({ ...common, ctx: opts.ctx, entity: t.entity as string })).inserted;
  const result = await pollEvents({
    ...common,
    gateway: opts.ctx.gateway,
    types: t.events ?? [],
    overlapSeconds: opts.overlapSeconds,
    onNotice: (n) =>
      opts.log(
        n.kind === 'events-lost'
          ? `${t.name}: events from ${new Date(n.from * 1000).toISOString()} to ${new Date(n.to * 1000).toISOString()} are past Stripe's 30-day retention and were lost`
          : `${t.name}: the checkpoint falls out of Stripe's 30-day event retention in ${Math.round(n.secondsLeft / 3600)} h: run the trigger`,
      ),
  });
  return result.inserted;
}
