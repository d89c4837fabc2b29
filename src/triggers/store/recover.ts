/**
 * At start: claims and source leases left by a runner of this host that died (`kill -9`) are
 * taken back at once instead of after their lease; a live holder's are left alone.
 */
import type { Store } from '../../store/types.ts';
import { isDeadLocalWorker } from './workers.ts';

export async function recoverDeadWorkers(
  store: Store,
  triggers: string[],
  log: (line: string) => void = () => {},
): Promise<{ claims: number; leases: number }> {
  let claims = 0;
  for (const trigger of triggers) {
    for (const job of await store.deliveries.list(trigger, { status: 'running', limit: 10_000 })) {
      if (isDeadLocalWorker(job.lockedBy) && (await store.jobs.extend(job.id, job.lockedBy as string, 0)))
        claims++;
    }
  }
  let leases = 0;
  for (const lease of await store.leases.list()) {
    if (isDeadLocalWorker(lease.holder) && (await store.leases.release(lease.name, lease.holder))) leases++;
  }
  if (claims || leases)
    log(`recovered ${claims} deliveries and ${leases} source leases of a runner that died`);
  return { claims, leases };
}
