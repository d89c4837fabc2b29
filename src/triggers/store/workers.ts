/**
 * Who holds a claim or a lease: `host/pid/nonce`. A runner killed with `kill -9` leaves its claims
 * and source leases behind until they expire; a runner restarted on the same host can tell the
 * holder's process is gone and take them back at once, instead of waiting out the lease. Holders
 * on other hosts (PostgreSQL, several nodes) are only ever waited out.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function newWorkerId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

/** True only when the holder is a process of this host that no longer exists. */
export function isDeadLocalWorker(holder: string | null | undefined): boolean {
  const m = /^(.*)\/(\d+)\/[0-9a-f]+$/.exec(holder ?? '');
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but is someone else's; only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
