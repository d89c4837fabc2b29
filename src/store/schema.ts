/**
 * The store's tables as Kysely sees them. Times are epoch milliseconds (bigint on PostgreSQL, read
 * back as numbers); JSON is kept as text so both dialects store and compare it the same way.
 */
import type { Generated } from 'kysely';

export interface TriggersTable {
  name: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface CheckpointsTable {
  trigger: string;
  source: string;
  cursor: string | null;
  state: string | null;
  updated_at: number;
}

export interface InboxTable {
  id: Generated<number>;
  scope: string;
  event_id: string;
  event_type: string;
  account: string | null;
  event_created: number | null;
  payload: string;
  received_at: number;
}

export interface JobsTable {
  id: Generated<number>;
  queue: string;
  grp: string;
  kind: string;
  dedup_key: string | null;
  payload: string;
  status: string;
  ordered: number;
  hold_on_dead: number;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  backoff_max_ms: number;
  run_at: number;
  expires_at: number | null;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface JobAttemptsTable {
  job_id: number;
  attempt: number;
  worker: string;
  started_at: number;
  finished_at: number | null;
  outcome: string | null;
  error: string | null;
}

export interface TokensTable {
  id: string;
  name: string;
  hash: string;
  scopes: string;
  connections: string | null;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface ConnectionsTable {
  name: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface BillingIntegrationsTable {
  name: string;
  title: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

export interface BillingCatalogsTable {
  name: string;
  kind: string;
  created_at: number;
}

export interface BillingCatalogIntegrationsTable {
  catalog: string;
  integration: string;
}

export interface SyncStateTable {
  sync: string;
  entity: string;
  slice: string;
  cursor: string | null;
  state: string | null;
  done: number;
  updated_at: number;
}

export interface NodesTable {
  id: string;
  info: string;
  started_at: number;
  heartbeat_at: number;
}

export interface LeasesTable {
  name: string;
  holder: string;
  epoch: number;
  acquired_at: number;
  expires_at: number;
}

export interface KvTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface StoreDatabase {
  triggers: TriggersTable;
  checkpoints: CheckpointsTable;
  inbox: InboxTable;
  jobs: JobsTable;
  job_attempts: JobAttemptsTable;
  tokens: TokensTable;
  connections: ConnectionsTable;
  billing_integrations: BillingIntegrationsTable;
  billing_catalogs: BillingCatalogsTable;
  billing_catalog_integrations: BillingCatalogIntegrationsTable;
  sync_state: SyncStateTable;
  nodes: NodesTable;
  leases: LeasesTable;
  kv: KvTable;
}
