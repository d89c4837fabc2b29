/**
 * Which entities of a sync are failing, and why: while a stage of an entity fails (its backfill,
 * the events that reach it, its periodic refresh), the target's state table holds a row
 * `error:<stage>` for it with the time, code and message of the last failure; it is removed once
 * the stage succeeds again. `sync status` reads these rows; a run reports those standing at its end.
 */
import type { Kysely } from 'kysely';
import { toConnectorError } from '../errors.ts';
import { deleteState, listState, setState, type StateRow } from './state.ts';

export type Stage = 'backfill' | 'events' | 'refresh';

export interface EntityError {
  stage: Stage;
  /** Epoch ms of the failure. */
  at: number;
  code: string;
  message: string;
}

export interface SyncFailure extends EntityError {
  /** '' for the platform account. */
  account: string;
  entity: string;
}

const PREFIX = 'error:';

const isErrorSlice = (slice: string): boolean => slice.startsWith(PREFIX);

/** The errors among an entity's state rows, newest first. */
export function errorsOf(rows: StateRow[]): EntityError[] {
  return rows
    .filter((r) => isErrorSlice(r.slice) && r.state)
    .map((r) => r.state as EntityError)
    .sort((a, b) => b.at - a.at);
}

/** One account's failing entities, as stored; writes only when an entity's state changes. */
export class Health {
  private readonly failing = new Map<string, SyncFailure>();

  constructor(
    private readonly db: Kysely<any>,
    private readonly sync: string,
    private readonly account: string,
  ) {}

  /** Picks up what an earlier run left failing. */
  async load(): Promise<void> {
    for (const row of await listState(this.db, { sync: this.sync, account: this.account })) {
      if (!isErrorSlice(row.slice) || !row.state) continue;
      const error = row.state as EntityError;
      this.failing.set(this.key(row.entity, error.stage), {
        ...error,
        account: this.account,
        entity: row.entity,
      });
    }
  }

  /** Records the failure (its time and message refreshed while it lasts). */
  async fail(entity: string, stage: Stage, error: unknown): Promise<SyncFailure> {
    const mapped = toConnectorError(error);
    const stored: EntityError = { stage, at: Date.now(), code: mapped.code, message: mapped.message };
    await setState(this.db, this.slice(entity, stage), { state: stored });
    const failure = { ...stored, account: this.account, entity };
    this.failing.set(this.key(entity, stage), failure);
    return failure;
  }

  async ok(entity: string, stage: Stage): Promise<void> {
    if (!this.failing.delete(this.key(entity, stage))) return;
    await deleteState(this.db, this.slice(entity, stage));
  }

  isFailing(entity: string, stage: Stage): boolean {
    return this.failing.has(this.key(entity, stage));
  }

  failures(): SyncFailure[] {
    return [...this.failing.values()];
  }

  private key(entity: string, stage: Stage): string {
    return `${entity}\0${stage}`;
  }

  private slice(entity: string, stage: Stage) {
    return { sync: this.sync, account: this.account, entity, slice: `${PREFIX}${stage}` };
  }
}
