/**
 * A trigger a runner cannot run (its sink cannot be made, its connection is missing, its
 * definition no longer parses) is reported failing, never silently left out: the reason is kept
 * in the store (status shows it, whichever process asks) and logged once per definition and
 * reason, while the runner retries at every check. A start that succeeds clears it.
 */
import type { Store } from '../store/types.ts';
import { failingKey } from './store/ports.ts';
import type { LogLevel } from './supervisor.ts';

export class FailingTriggers {
  /** What each trigger was last reported failing for: definition key and reason. */
  private readonly told = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly log: (line: string, level?: LogLevel) => void,
  ) {}

  /** `name` (its definition `key`) cannot run because of `reason`. */
  async fail(name: string, key: string, reason: string): Promise<void> {
    if (this.told.get(name) === `${key}\n${reason}`) return;
    this.told.set(name, `${key}\n${reason}`);
    this.log(`trigger ${name}: failing: ${reason}`, 'warn');
    await this.store.kv.set(failingKey(name), { reason, at: this.store.now() });
  }

  /** `name` runs: its failing state goes (this process's, or one a runner before it left). */
  async recovered(name: string): Promise<void> {
    if (this.told.delete(name)) this.log(`trigger ${name}: recovered, delivering`);
    await this.store.kv.remove(failingKey(name));
  }

  /** `name` stopped running here (removed or changed): what was told about it no longer holds. */
  forget(name: string): void {
    this.told.delete(name);
  }
}
