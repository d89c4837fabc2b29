/**
 * Scale-out: many nodes on one PostgreSQL store. A node registers itself (NodeService), work that
 * one node at a time may do runs under a lease (runWithLease), and each connection's rate budget is
 * shared by all nodes (gateway/budget-shared.ts, switched on by `throttle.shared`).
 */
export {
  NodeService,
  liveNodes,
  newNodeId,
  clusterDefaults,
  type ClusterSettings,
  type NodeInfo,
  type NodeServiceOptions,
  type Readiness,
  type BudgetSource,
} from './nodes.ts';
export {
  runWithLease,
  type LeaseContext,
  type LeaseRunner,
  type LeaseRunnerOptions,
} from './lease-runner.ts';
export { listCluster, type ClusterListing } from './list.ts';
export { openBudgetStore, storeUrlFrom, STORE_ENV, type BudgetStore } from '../gateway/budget-store.ts';
