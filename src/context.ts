/** What every engine (entities, query, actions, triggers) needs: the catalog and a gateway. */
import type { StripeCatalog } from './catalog/index.ts';
import type { Gateway } from './gateway/types.ts';

export interface ConnectorContext {
  catalog: StripeCatalog;
  gateway: Gateway;
}
