/** `--data FILE`: the whole store as JSON, written atomically shortly after changes and on close. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Store } from './store.ts';

export function loadStore(file: string | undefined): Store | undefined {
  if (!file || !existsSync(file)) return undefined;
  return Store.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
}

export class Persister {
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly file: string | undefined,
    private readonly store: () => Store,
  ) {}

  changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 500);
    this.timer.unref();
  }

  flush(): void {
    if (!this.file) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.store().toJSON()));
    renameSync(tmp, this.file);
  }
}
