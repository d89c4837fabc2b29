/**
 * A work queue drained by a fixed number of workers, where a task may add more tasks (a slice that
 * splits). Finishes when the queue is empty and no worker is busy; the first error stops the
 * others from taking new work and is rethrown.
 */
export async function drain<T>(
  initial: T[],
  workers: number,
  run: (task: T, add: (t: T) => void) => Promise<void>,
): Promise<void> {
  const queue = [...initial];
  const waiters: Array<() => void> = [];
  const notify = () => {
    while (waiters.length) waiters.shift()!();
  };
  let busy = 0;
  let failed = false;
  let failure: unknown;
  const add = (t: T) => {
    queue.push(t);
    notify();
  };
  const worker = async (): Promise<void> => {
    while (!failed) {
      const task = queue.shift();
      if (task === undefined) {
        if (busy === 0) return notify();
        await new Promise<void>((resolve) => waiters.push(resolve));
        continue;
      }
      busy++;
      try {
        await run(task, add);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      } finally {
        busy--;
        notify();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  if (failed) throw failure;
}
