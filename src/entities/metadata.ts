/**
 * Stripe's metadata rules, documented in prose only (https://docs.stripe.com/api/metadata): at most
 * 50 keys, keys up to 40 characters without square brackets, values up to 500 characters, and an
 * empty value unsets that key. Checked before any call so a bad payload names its key path.
 */
import { ConnectorError } from '../errors.ts';

export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;

/** `metadata`, `subscription_data.metadata`: where a level is a metadata map. */
export function isMetadataPath(path: string): boolean {
  return path === 'metadata' || path.endsWith('.metadata');
}

export function checkMetadata(metadata: Record<string, unknown>, path: string): void {
  const keys = Object.keys(metadata);
  if (keys.length > METADATA_LIMITS.keys) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `"${path}" has ${keys.length} keys; Stripe accepts at most ${METADATA_LIMITS.keys}`,
      { field: path, keys: keys.length, maxKeys: METADATA_LIMITS.keys },
    );
  }
  for (const key of keys) {
    const field = `${path}.${key}`;
    if (key.length > METADATA_LIMITS.keyLength) {
      throw new ConnectorError(
        'INVALID_VALUE',
        `metadata key "${field}" is ${key.length} characters; Stripe accepts at most ${METADATA_LIMITS.keyLength}`,
        { field, maxLength: METADATA_LIMITS.keyLength },
      );
    }
    if (key === '' || /[[\]]/.test(key)) {
      throw new ConnectorError(
        'INVALID_VALUE',
        `metadata key "${field}" must be non-empty and must not contain "[" or "]"`,
        { field },
      );
    }
    const value = metadata[key];
    if (typeof value === 'string' && value.length > METADATA_LIMITS.valueLength) {
      throw new ConnectorError(
        'INVALID_VALUE',
        `"${field}" is ${value.length} characters; Stripe accepts metadata values up to ${METADATA_LIMITS.valueLength}`,
        { field, maxLength: METADATA_LIMITS.valueLength },
      );
    }
  }
}
