/**
 * The payload rules the catalog cannot say (fields Stripe removed, limits documented only in prose),
 * applied before any call. The facts are in catalog/overrides.ts; this applies them.
 */
import type { Entity, StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import type { Payload } from './payload.ts';

/** Throws for removed fields and broken limits; top-level keys, matched loosely. */
export function checkEntityRules(catalog: StripeCatalog, entity: Entity, payload: Payload): void {
  for (const [key, value] of Object.entries(payload)) {
    const gone = catalog.removedField(entity, key);
    if (gone) throw new ConnectorError('UNKNOWN_FIELD', gone, { field: key, removed: true });
    const limit = catalog.maxItems(entity, key);
    if (limit && Array.isArray(value) && value.length > limit.max) {
      throw new ConnectorError(
        'INVALID_VALUE',
        `"${limit.field}" takes at most ${limit.max} items, got ${value.length}`,
        { field: limit.field, maxItems: limit.max },
      );
    }
  }
}
