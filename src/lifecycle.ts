/**
 * One lifecycle for the long-running parts (emulator, server, trigger runner): start services in
 * order, run until SIGINT/SIGTERM (or an abort signal), then stop them in reverse order, giving each
 * a bounded time to drain its in-flight work. A second signal stops waiting for the drain.
 */
import { ConnectorError } from './errors.ts';

export interface Service {
  name: string;
  /** Resolves once the service is ready (listening, subscribed, …). */
  start(): Promise<void>;
  /** Finishes in-flight work and releases resources. */
  stop(): Promise<void>;
}

export interface LifecycleOptions {
  /** Called once every service has started (e.g. to print where to look). */
  onStarted?: () => void;
  /** Per-service drain bound; a service that takes longer is left behind (logged). Default 10 s. */
  drainTimeoutMs?: number;
  /** Ends the run like a signal does (tests, or a parent that owns the process). */
  signal?: AbortSignal;
  signals?: NodeJS.Signals[];
  log?: (line: string) => void;
}

/**
 * Starts `services` in order and resolves after all have stopped. A service that fails to start
 * stops the ones already started (reverse order) and the error is rethrown.
 */
export async function runUntilSignal(services: Service[], options: LifecycleOptions = {}): Promise<void> {
  const { drainTimeoutMs = 10_000, signals = ['SIGINT', 'SIGTERM'], log = () => {} } = options;
  const started: Service[] = [];
  let force: () => void = () => {};
  const forced = new Promise<void>((resolve) => (force = resolve));
  let signalled = 0;
  let stopRequested: () => void = () => {};
  const stopping = new Promise<void>((resolve) => (stopRequested = resolve));
  const onSignal = () => {
    signalled++;
    if (signalled === 1) stopRequested();
    else force();
  };
  for (const s of signals) process.on(s, onSignal);
  if (options.signal?.aborted) stopRequested();
  options.signal?.addEventListener('abort', () => stopRequested(), { once: true });
  try {
    try {
      for (const service of services) {
        await service.start();
        started.push(service);
      }
    } catch (error) {
      await stopAll(started, drainTimeoutMs, forced, log);
      throw error;
    }
    options.onStarted?.();
    await stopping;
    await stopAll(started, drainTimeoutMs, forced, log);
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

async function stopAll(
  started: Service[],
  drainTimeoutMs: number,
  forced: Promise<void>,
  log: (line: string) => void,
): Promise<void> {
  for (const service of [...started].reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([
      service.stop().then(
        () => 'stopped' as const,
        (error: unknown) => {
          log(`${service.name}: stop failed: ${(error as Error)?.message ?? error}`);
          return 'failed' as const;
        },
      ),
      timedOut,
      forced.then(() => 'forced' as const),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout') log(`${service.name}: still draining after ${drainTimeoutMs} ms; left behind`);
    if (outcome === 'forced') log(`${service.name}: stop interrupted by a second signal`);
  }
}

/**
 * A listen failure in words a person can act on: a busy port names the port and the flag that
 * picks another (exit 2, as bad input); other errors pass through unchanged.
 */
export function listenError(error: unknown, where: { port: number; host: string; flag?: string }): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  const flag = where.flag ?? '--port';
  if (code === 'EADDRINUSE')
    return new ConnectorError(
      'INVALID_ARGUMENT',
      `port ${where.port} on ${where.host} is already in use (another stripe-connector running?); pass ${flag} <port> to pick another`,
      { field: flag, port: where.port },
    );
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
    return new ConnectorError(
      'INVALID_ARGUMENT',
      `cannot listen on ${where.host}:${where.port} (${code}); pass ${flag} <port> or --host <address>`,
      { field: flag, port: where.port },
    );
  return error;
}

/**
 * Resolves after `ms`, or early when `signal` aborts (a stop, or a wake-up); never rejects. A
 * signal that aborted before the call resolves at once: an abort event fires only once, so a loop
 * stopped while it was busy (a poll in flight) would otherwise sleep its whole interval first.
 */
export function sleepUnless(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
