/**
 * Resolves after `ms`, or early when `signal` aborts (a stop, or a wake-up); never rejects. A
 * signal that aborted before the call resolves at once: an abort event fires only once, so a loop
 * stopped while it was busy (a poll in flight) would otherwise sleep its whole interval first.
 */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
