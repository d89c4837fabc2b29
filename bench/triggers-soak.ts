/**
 * Soak: the crash test at scale, not in the suite. A real `trigger run` is killed with SIGKILL at
 * random points 50 times while 5,000 events are made; then every event must have been delivered,
 * in order, a repeat only ever the delivery just before with the same delivery id.
 *   npx tsx bench/triggers-soak.ts      (SOAK_EVENTS, SOAK_KILLS to change the sizes)
 */
import { deliveryId } from '../src/triggers/delivery-id.ts';
import { collapse, crashRun } from '../test/triggers/support/crash.ts';

export async function run(): Promise<void> {
  const events = Number(process.env.SOAK_EVENTS ?? (process.env.BENCH_QUICK ? 300 : 5000));
  const kills = Number(process.env.SOAK_KILLS ?? (process.env.BENCH_QUICK ? 5 : 50));
  const r = await crashRun({ events, kills, log: (l) => process.env.SOAK_VERBOSE && console.log(l) });
  const order = collapse(r.received, (l) => l.event_id);
  const faults = [
    r.made.length !== events && `the emulator made ${r.made.length} events, not ${events}`,
    order.join() !== r.made.join() && 'the sink did not get every event exactly in order',
    r.queued.join() !== r.made.join() && 'the queue does not hold every event once, in order',
    r.received.some((l) => l.id !== deliveryId('crash', l.event_id)) && 'a delivery id changed',
  ].filter(Boolean);
  const repeats = r.received.length - order.length;
  console.log(
    `${events} events, ${kills} kill -9: ${faults.length ? `FAILED: ${faults.join('; ')}` : 'every event delivered, in order'}; ${repeats} repeated deliveries (same id); ${(r.ms / 1000).toFixed(1)} s`,
  );
  if (faults.length) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
