/** Which entities a sync mirrors, checked against the catalog before any call. */
import type { StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import { knownEventTypes } from '../triggers/event-types.ts';
import type { EntityJob } from './backfill.ts';
import type { MirroredEntity } from './apply.ts';
import { tableSpec } from './columns.ts';

export interface SyncEntity extends EntityJob, MirroredEntity {
  /** Stripe sends events for it; otherwise a periodic list on `created` finds new ones. */
  hasEvents: boolean;
}

/**
 * Whether Stripe sends events about a resource: types name it first (`invoice.paid`,
 * `issuing_card.created` for `issuing.card`) or as a sub-object (`customer.subscription.updated`,
 * `charge.dispute.created`).
 */
export function hasEvents(types: readonly string[], resource: string): boolean {
  const noun = resource.replace(/\./g, '_');
  const last = resource.split('.').at(-1)!;
  return types.some(
    (t) => t.startsWith(`${resource}.`) || t.startsWith(`${noun}.`) || t.includes(`.${last}.`),
  );
}

export function resolveEntities(catalog: StripeCatalog, names: string[]): SyncEntity[] {
  if (!names.length) {
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      '--entities: name at least one entity (Customer,Invoice,…)',
      {
        field: '--entities',
      },
    );
  }
  const types = knownEventTypes(catalog);
  const seen = new Set<string>();
  const out: SyncEntity[] = [];
  for (const name of names) {
    const entity = catalog.entity(name);
    if (seen.has(entity.id)) continue;
    seen.add(entity.id);
    const list = catalog.operation(entity, 'list');
    const retrieve = catalog.operation(entity, 'retrieve');
    if (!list || list.pathParams.length || !retrieve) {
      throw new ConnectorError(
        'OPERATION_NOT_SUPPORTED',
        `--entities: ${entity.entity} cannot be mirrored: Stripe has no top-level list and retrieve for it`,
        { field: '--entities', entity: entity.entity },
      );
    }
    // Lists that hide some objects unless asked (Stripe's defaults), so a mirror would miss them.
    const defaults = catalog.listDefaults(entity);
    const needs = list.params.filter((p) => p.required && !(p.name in defaults)).map((p) => p.name);
    if (needs.length) {
      throw new ConnectorError(
        'OPERATION_NOT_SUPPORTED',
        `--entities: ${entity.entity} cannot be mirrored: Stripe lists it only per ${needs.join(', ')} (GET ${list.path})`,
        { field: '--entities', entity: entity.entity, needs },
      );
    }
    out.push({
      spec: tableSpec(catalog, entity),
      listPath: list.path,
      ...(Object.keys(defaults).length ? { listParams: defaults } : {}),
      sliceable: Boolean(catalog.listParam(entity, 'created')),
      retrievePath: retrieve.path,
      hasEvents: hasEvents(types, entity.id),
    });
  }
  return out;
}
