/** What every engine (entities, query, actions, triggers) needs: the catalog and a gateway. */
import type { StripeCatalog } from './catalog/index.ts';
import type { Gateway } from './gateway/types.ts';
import type { Store } from './store/types.ts';

export interface ConnectorContext {
  catalog: StripeCatalog;
  gateway: Gateway;
  /** Where long-lived state lives (triggers, inbox, deliveries, jobs, …); engines that keep none omit it. */
  store?: Store;
}
