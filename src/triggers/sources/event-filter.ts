/**
 * How a set of event types becomes list filters. `types[]` takes at most 20 concrete names per
 * call, so larger sets are split into several walks; wildcards (`charge.*`) only work in the
 * single `type` parameter, so each gets its own walk; `*` means no filter at all.
 */

export const MAX_TYPES_PER_CALL = 20;

export interface EventFilter {
  /** Stable name of the walk, the key of its anchor in the checkpoint. */
  key: string;
  params: Record<string, unknown>;
}

export function eventFilters(types: readonly string[]): EventFilter[] {
  const unique = [...new Set(types)].sort();
  if (unique.includes('*')) return [{ key: '*', params: {} }];
  const wildcards = unique.filter((t) => t.includes('*'));
  const exact = unique.filter((t) => !t.includes('*'));
  const filters = wildcards.map((type) => ({ key: type, params: { type } }));
  for (let i = 0; i < exact.length; i += MAX_TYPES_PER_CALL) {
    const chunk = exact.slice(i, i + MAX_TYPES_PER_CALL);
    filters.push({ key: chunk.join(','), params: { types: chunk } as never });
  }
  return filters;
}

/** Whether an event type is one of the patterns (`charge.*`, `*`, exact names). */
export function matchesType(type: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))),
  );
}
