/**
 * What the catalog cannot say about some fields: ones Stripe removed that older docs (the Microsoft
 * seed) still offer, limits Stripe documents only in prose, and fields where '' unsets a value
 * although the OpenAPI description does not mark them. Data, not branches.
 */
import { looseKey } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import type { Payload } from './payload.ts';

/** Entity → field → why it is gone and what to use instead. */
export const REMOVED_FIELDS: Record<string, Record<string, string>> = {
  Product: {
    caption:
      'Stripe removed "caption" from products (it is not in API version 2023-08-16, which this connector uses); put the text in "description" instead',
  },
};

/** Entity → array field → the most items Stripe accepts. */
export const MAX_ITEMS: Record<string, Record<string, number>> = {
  Product: { images: 8 },
};

/** Entity → operation kind → fields where '' unsets the value (the Microsoft seed: customer email). */
export const EXTRA_EMPTYABLE: Record<string, Partial<Record<string, string[]>>> = {
  Customer: { update: ['email', 'description', 'name', 'phone'] },
};

/** Why a field is gone from an entity (matched loosely), or undefined when it is not. */
export function removedField(entity: string, key: string): string | undefined {
  const removed = REMOVED_FIELDS[entity] ?? {};
  const gone = Object.keys(removed).find((f) => looseKey(f) === looseKey(key));
  return gone && removed[gone];
}

/** Throws for removed fields and broken limits; top-level keys, matched loosely. */
export function checkEntityRules(entity: string, payload: Payload): void {
  const limits = MAX_ITEMS[entity] ?? {};
  for (const [key, value] of Object.entries(payload)) {
    const loose = looseKey(key);
    const gone = removedField(entity, key);
    if (gone) throw new ConnectorError('UNKNOWN_FIELD', gone, { field: key, removed: true });
    const limited = Object.keys(limits).find((f) => looseKey(f) === loose);
    if (limited && Array.isArray(value) && value.length > limits[limited]) {
      throw new ConnectorError(
        'INVALID_VALUE',
        `"${limited}" takes at most ${limits[limited]} items, got ${value.length}`,
        { field: limited, maxItems: limits[limited] },
      );
    }
  }
}
