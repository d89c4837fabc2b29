/** The library: what an integration imports to use the connector in code. */
export { loadCatalog, StripeCatalog, type Entity, type Action } from './catalog/index.ts';
export {
  loadConnectionFile,
  connectionFromEnv,
  parseConnection,
  type Connection,
} from './connection/index.ts';
export {
  createGateway,
  createGatewayFromConnection,
  type Gateway,
  type GatewayRequest,
  type GatewayDownload,
  type GatewayDownloadResult,
} from './gateway/index.ts';
export {
  getEntity,
  createEntity,
  updateEntity,
  deleteEntity,
  flatten,
  mapPayload,
} from './entities/index.ts';
export { planQuery, runQuery, collect, explain } from './query/index.ts';
export { runAction, listActions, type ActionFile } from './actions/index.ts';
export { runSync, syncStatus, type SyncOptions, type SyncStatus } from './sync/index.ts';
export { ConnectorError, ERROR_CODES, type ErrorCode } from './errors.ts';
export type { ConnectorContext } from './context.ts';
