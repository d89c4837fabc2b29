/** Builds a Store over an open Kysely instance: the repositories, transactions and close. */
import type { Db, Direct, RepoContext } from './context.ts';
import { migrationStatus } from './migrations.ts';
import { billingRepo } from './repos/billing.ts';
import { leaseRepo, nodeRepo } from './repos/cluster.ts';
import { deliveryRepo } from './repos/deliveries.ts';
import { inboxRepo } from './repos/inbox.ts';
import { jobQueue } from './repos/jobs.ts';
import { kvRepo } from './repos/kv.ts';
import { namedRepo } from './repos/named.ts';
import { syncRepo } from './repos/sync.ts';
import { withTransaction } from './tx.ts';
import { tokenRepo } from './repos/tokens.ts';
import { checkpointRepo } from './repos/triggers.ts';
import type { Dialect, Repos, Store } from './types.ts';

function repos(ctx: RepoContext): Repos {
  const jobs = jobQueue(ctx);
  return {
    triggers: namedRepo(ctx, 'triggers', { refuseSecrets: false }),
    checkpoints: checkpointRepo(ctx),
    inbox: inboxRepo(ctx),
    deliveries: deliveryRepo(jobs),
    jobs,
    tokens: tokenRepo(ctx),
    connections: namedRepo(ctx, 'connections', { refuseSecrets: true }),
    billing: billingRepo(ctx, jobs),
    sync: syncRepo(ctx),
    nodes: nodeRepo(ctx),
    leases: leaseRepo(ctx),
    kv: kvRepo(ctx),
  };
}

export interface StoreParts {
  db: Db;
  dialect: Dialect;
  location: string;
  schema?: string;
  now?: () => number;
  close?: () => Promise<void>;
  /** SQLite: statements straight on the connection, given to repositories inside transactions. */
  direct?: Direct;
}

export function createStore(parts: StoreParts): Store {
  const { db, dialect } = parts;
  const now = parts.now ?? Date.now;
  const runTx = <T>(fn: (tx: Db) => Promise<T>): Promise<T> => withTransaction(db, dialect, fn);
  const inTx = (tx: Db): RepoContext => ({
    db: tx,
    dialect,
    now,
    atomic: (fn) => fn(tx),
    direct: parts.direct,
  });
  const root: RepoContext = { db, dialect, now, atomic: runTx };
  return {
    ...repos(root),
    dialect,
    location: parts.location,
    now,
    health: () => migrationStatus(db, dialect, parts.schema),
    transaction: (fn) => runTx((tx) => fn(repos(inTx(tx)))),
    close: parts.close ?? (() => db.destroy()),
  };
}
