/**
 * An entity's table, derived from the catalog: typed columns for top-level scalar fields, JSON for
 * nested objects and lists, the id as primary key, and the mirror's own columns (`deleted_at` for
 * tombstones, the version that wrote the row). Reference fields (expandable ids) hold the id even
 * when Stripe sent the object expanded, and get an index, as does `created`.
 */
import type { Entity, StripeCatalog, TypeSpec } from '../catalog/index.ts';

export type ColumnKind = 'text' | 'integer' | 'real' | 'boolean' | 'json';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Holds another object's id (indexed). */
  reference?: true;
}

export interface TableSpec {
  entity: string;
  /** The resource id (`checkout.session`): what `object` says in Stripe's JSON. */
  resource: string;
  table: string;
  /** Data columns, without `id` and the mirror's own columns, in catalog order. */
  columns: Column[];
}

/** The mirror's own columns, `_`-prefixed except `deleted_at` (the issue names it). */
export const META_COLUMNS = {
  account: '_account',
  versionCreated: '_version_created',
  versionId: '_version_id',
  syncedAt: '_synced_at',
  deletedAt: 'deleted_at',
} as const;

/** `checkout.session` → `checkout_session`; `PaymentIntent` → `payment_intent`. */
export function tableName(entity: Entity): string {
  return entity.id.replace(/\./g, '_').toLowerCase();
}

function kindOf(catalog: StripeCatalog, spec: TypeSpec): Column['kind'] | 'reference' {
  if (spec.expandable?.length) return 'reference';
  switch (spec.type) {
    case 'string':
    case 'enum':
      return 'text';
    case 'integer':
    case 'timestamp':
      return 'integer';
    case 'number':
      return 'real';
    case 'boolean':
      return 'boolean';
    case 'anyOf': {
      const kinds = new Set((spec.of ?? []).map((o) => kindOf(catalog, o)));
      if (kinds.has('reference')) return 'reference';
      return kinds.size === 1 ? ([...kinds][0] as Column['kind']) : 'json';
    }
    default:
      return 'json';
  }
}

export function tableSpec(catalog: StripeCatalog, entity: Entity): TableSpec {
  const fields = catalog.objectOf(entity.schema)?.fields ?? {};
  const reserved = new Set(['id', 'object', ...Object.values(META_COLUMNS)]);
  const columns: Column[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    if (reserved.has(name)) continue;
    const kind = kindOf(catalog, spec);
    columns.push(kind === 'reference' ? { name, kind: 'text', reference: true } : { name, kind });
  }
  return { entity: entity.entity, resource: entity.id, table: tableName(entity), columns };
}
