/**
 * Versioned migrations, applied on open by Kysely's Migrator (its table `kysely_migration` records
 * which ran). On PostgreSQL the whole run also holds a session advisory lock on one connection, so
 * any number of processes opening at once apply each migration exactly once; on SQLite the run is
 * one `begin immediate` transaction (the file's write lock), for the same reason.
 */
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { withTransaction } from './tx.ts';
import type { Dialect } from './types.ts';

type AnyDb = Kysely<any>;

function idColumn(db: AnyDb, dialect: Dialect, table: string) {
  const t = db.schema.createTable(table).ifNotExists();
  return dialect === 'postgres'
    ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Triggers, their checkpoints and inbox, and the one job queue (deliveries, billing jobs). */
async function triggerAndQueueTables(db: AnyDb, dialect: Dialect): Promise<void> {
  const s = db.schema;
  await s
    .createTable('triggers')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('checkpoints')
    .ifNotExists()
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .addColumn('state', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('checkpoints_pk', ['trigger', 'source'])
    .execute();
  await idColumn(db, dialect, 'inbox')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('account', 'text')
    .addColumn('event_created', 'bigint')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('inbox_scope_event', ['scope', 'event_id'])
    .execute();
  await idColumn(db, dialect, 'jobs')
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('grp', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ordered', 'integer', (c) => c.notNull())
    .addColumn('hold_on_dead', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('backoff_ms', 'bigint', (c) => c.notNull())
    .addColumn('backoff_max_ms', 'bigint', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addUniqueConstraint('jobs_queue_dedup', ['queue', 'dedup_key'])
    .execute();
  await s.createIndex('jobs_claim').ifNotExists().on('jobs').columns(['queue', 'status', 'run_at']).execute();
  await s.createIndex('jobs_group').ifNotExists().on('jobs').columns(['queue', 'grp', 'id']).execute();
  await s
    .createTable('job_attempts')
    .ifNotExists()
    .addColumn('job_id', 'bigint', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('outcome', 'text')
    .addColumn('error', 'text')
    .execute();
  await s
    .createIndex('job_attempts_job')
    .ifNotExists()
    .on('job_attempts')
    .columns(['job_id', 'started_at'])
    .execute();
}

/** Tokens, named connections, billing, sync state, nodes, leases and small values. */
async function accessAndStateTables(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .createTable('tokens')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('connections', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
  for (const table of ['connections', 'billing_integrations']) {
    let t = s
      .createTable(table)
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey());
    if (table === 'billing_integrations') t = t.addColumn('title', 'text', (c) => c.notNull());
    await t
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  }
  await s
    .createTable('billing_catalogs')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('billing_catalog_integrations')
    .ifNotExists()
    .addColumn('catalog', 'text', (c) => c.notNull())
    .addColumn('integration', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('billing_catalog_integrations_pk', ['catalog', 'integration'])
    .execute();
  await s
    .createTable('sync_state')
    .ifNotExists()
    .addColumn('sync', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('slice', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text')
    .addColumn('state', 'text')
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_state_pk', ['sync', 'entity', 'slice'])
    .execute();
  await s
    .createTable('nodes')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('info', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('leases')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('kv')
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

function initial(dialect: Dialect): Migration {
  return {
    async up(db: AnyDb) {
      await triggerAndQueueTables(db, dialect);
      await accessAndStateTables(db);
    },
  };
}

/**
 * Claims read only unfinished jobs (job-claims.ts): a partial index of them per group, in id
 * order, and one of the dead jobs that hold their group. Finished rows, which pile up, are in
 * neither, so a claim no longer walks a trigger's whole history to find its head.
 */
const unfinishedJobIndexes: Migration = {
  async up(db: AnyDb) {
    const s = db.schema;
    await s
      .createIndex('jobs_open')
      .ifNotExists()
      .on('jobs')
      .columns(['queue', 'grp', 'id'])
      .where(sql<boolean>`status in ('queued', 'running')`)
      .execute();
    await s
      .createIndex('jobs_held')
      .ifNotExists()
      .on('jobs')
      .columns(['queue', 'grp', 'id'])
      .where(sql<boolean>`status = 'dead' and hold_on_dead = 1`)
      .execute();
  },
};

/**
 * Claims find due jobs without walking the claimed ones (job-claims.ts `claimIds`): queued jobs of
 * a group in id order, and running jobs by the end of their lease (an expired one's worker died).
 * Through `jobs_open` a claim read every running row ahead of the first queued one: with 64
 * deliveries in flight, 64 row reads per claim. `jobs_claim` (queue, status, run_at) goes: SQLite
 * preferred it for queued jobs and then sorted the whole backlog by id on every claim.
 */
const dueJobIndexes: Migration = {
  async up(db: AnyDb) {
    const s = db.schema;
    await s.dropIndex('jobs_claim').ifExists().execute();
    await s
      .createIndex('jobs_queued')
      .ifNotExists()
      .on('jobs')
      .columns(['queue', 'grp', 'id'])
      .where(sql<boolean>`status = 'queued'`)
      .execute();
    await s
      .createIndex('jobs_leased')
      .ifNotExists()
      .on('jobs')
      .columns(['queue', 'locked_until'])
      .where(sql<boolean>`status = 'running'`)
      .execute();
  },
};

/** Every migration, by name; names sort in the order they apply. Append, never edit one that shipped. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_unfinished_job_indexes': unfinishedJobIndexes,
    '0003_due_job_indexes': dueJobIndexes,
  };
}

export async function migrationStatus(db: AnyDb, dialect: Dialect, schema?: string) {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const all = await migrator.getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}

/** A fixed key for the migration advisory lock (any 64-bit number unique to this program). */
const MIGRATION_LOCK_KEY = 7_301_415_926;

export async function migrate(db: AnyDb, dialect: Dialect, schema?: string): Promise<string[]> {
  const run = async (conn: AnyDb, disableTransactions = false): Promise<string[]> => {
    const migrator = new Migrator({
      db: conn,
      disableTransactions,
      provider: { getMigrations: async () => migrations(dialect) },
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
  if (dialect === 'sqlite') {
    return withTransaction(db, dialect, (conn) => run(conn, true));
  }
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      return await run(conn);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}
