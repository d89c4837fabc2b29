/**
 * Event types a trigger names, checked against the catalog's list (the `enabled_events` enum of
 * webhook endpoints, 223 types in 2023-08-16) before any call, so a typo is named with a
 * suggestion instead of surfacing as Stripe's 6 kB enum error at endpoint creation.
 */
import { closest } from 'fastest-levenshtein';
import type { StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';

export function knownEventTypes(catalog: StripeCatalog): string[] {
  const create = catalog.raw.resources.webhook_endpoint?.operations.find((o) => o.kind === 'create');
  const spec = create?.params.find((p) => p.name === 'enabled_events');
  return (spec?.items?.values as string[] | undefined) ?? [];
}

/** Throws INVALID_ARGUMENT naming `events.N` for a type that is neither known nor a wildcard. */
export function checkEventTypes(catalog: StripeCatalog, types: readonly string[]): void {
  const known = knownEventTypes(catalog);
  const set = new Set(known);
  const issues = types.flatMap((type, i) => {
    if (set.has(type)) return [];
    if (type.endsWith('.*') && known.some((k) => k.startsWith(type.slice(0, -1)))) return [];
    return [`events.${i}: unknown event type "${type}" (did you mean "${closest(type, known)}"?)`];
  });
  if (issues.length) {
    throw new ConnectorError('INVALID_ARGUMENT', `invalid trigger: ${issues.join('; ')}`, {
      keys: issues.map((l) => l.split(':')[0]),
      issues,
    });
  }
}
