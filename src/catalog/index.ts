/** Loads the generated catalog and answers look-ups about entities, operations, fields and actions. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closest } from 'fastest-levenshtein';
import type {
  Catalog,
  CatalogOperation,
  CatalogResource,
  OperationKind,
  OperationParam,
  TypeSpec,
} from './types.ts';
import { findLoose, looseKey } from './naming.ts';
import { ConnectorError } from '../errors.ts';
import { moneyRuleOf, type MoneyRule } from './money.ts';
import * as OVERRIDES from './overrides.ts';
import type { NamedAction, SeedRule } from './overrides.ts';

export * from './types.ts';
export { entityNameOf, actionNameOf, looseKey, findLoose } from './naming.ts';
export type { NamedAction, SeedRule, SearchFieldType } from './overrides.ts';
export { WRITE_KINDS, type MoneyRule } from './money.ts';

export const DEFAULT_API_VERSION = '2023-08-16';

export interface Entity extends CatalogResource {
  /** Stripe's resource id (`payment_intent`). */
  id: string;
  schema: TypeSpec;
}

export interface Action {
  name: string;
  aliases: string[];
  entity: Entity;
  operation: CatalogOperation;
}

export class CatalogLookupError extends ConnectorError {
  readonly suggestion?: string;
  constructor(code: 'UNKNOWN_ENTITY' | 'UNKNOWN_ACTION', message: string, suggestion?: string) {
    super(
      code,
      suggestion ? `${message}; did you mean ${suggestion}?` : message,
      suggestion ? { suggestion } : {},
    );
    this.name = 'CatalogLookupError';
    this.suggestion = suggestion;
  }
}

export class StripeCatalog {
  readonly apiVersion: string;
  readonly raw: Catalog;
  /** The hand-kept Stripe facts (overrides.ts); the look-ups below answer through them. */
  readonly overrides = OVERRIDES;
  private readonly namedByLooseName = new Map(OVERRIDES.NAMED_ACTIONS.map((a) => [looseKey(a.name), a]));
  private readonly byLooseName = new Map<string, Entity>();
  private readonly entityList: Entity[] = [];
  private readonly actionsByLooseName = new Map<string, Action>();
  private readonly actionList: Action[] = [];

  constructor(raw: Catalog) {
    this.raw = raw;
    this.apiVersion = raw.apiVersion;
    for (const [id, resource] of Object.entries(raw.resources)) {
      const entity: Entity = { ...resource, id, schema: raw.schemas[id] };
      this.entityList.push(entity);
      this.byLooseName.set(looseKey(entity.entity), entity);
      this.byLooseName.set(looseKey(id), entity);
    }
    const aliasesOf = new Map<string, string[]>();
    for (const [alias, target] of Object.entries(OVERRIDES.ACTION_ALIASES)) {
      aliasesOf.set(target, [...(aliasesOf.get(target) ?? []), alias]);
    }
    for (const entity of this.entityList) {
      for (const operation of entity.operations) {
        if (!operation.action) continue;
        const action: Action = {
          name: operation.action,
          aliases: aliasesOf.get(operation.action) ?? [],
          entity,
          operation,
        };
        this.actionList.push(action);
        for (const name of [action.name, ...action.aliases]) {
          this.actionsByLooseName.set(looseKey(name), action);
        }
      }
    }
  }

  entities(): Entity[] {
    return this.entityList;
  }

  /** By entity name or resource id, case-insensitively (`paymentintent`, `payment_intent`). */
  findEntity(name: string): Entity | undefined {
    return this.byLooseName.get(looseKey(name));
  }

  entity(name: string): Entity {
    const found = this.findEntity(name);
    if (found) return found;
    throw new CatalogLookupError(
      'UNKNOWN_ENTITY',
      `unknown entity "${name}"`,
      closest(
        name,
        this.entityList.map((e) => e.entity),
      ),
    );
  }

  /** The entity's primary operation of a kind (the plainly named one), if Stripe has it. */
  operation(entity: Entity, kind: Exclude<OperationKind, 'custom'>): CatalogOperation | undefined {
    return entity.operations.find((o) => o.name === kind) ?? entity.operations.find((o) => o.kind === kind);
  }

  /** A parameter of the entity's primary list operation, if that list takes it (`created`, `customer`). */
  listParam(entity: Entity, name: string): OperationParam | undefined {
    return this.operation(entity, 'list')?.params.find((p) => p.name === name);
  }

  /**
   * Parameters a complete listing of the entity needs, where Stripe's defaults would hide objects
   * (subscriptions leave out canceled ones unless `status=all`).
   */
  listDefaults(entity: Entity): Record<string, string> {
    return OVERRIDES.LIST_DEFAULTS[entity.id] ?? {};
  }

  /** All operations of a kind, primary first (nested variants follow). */
  operationsOf(entity: Entity, kind: OperationKind): CatalogOperation[] {
    return entity.operations
      .filter((o) => o.kind === kind)
      .sort((a, b) => Number(b.name === kind) - Number(a.name === kind));
  }

  actions(): Action[] {
    return this.actionList;
  }

  findAction(name: string): Action | undefined {
    return this.actionsByLooseName.get(looseKey(name));
  }

  action(name: string): Action {
    const found = this.findAction(name);
    if (found) return found;
    const names = this.actionList.flatMap((a) => [a.name, ...a.aliases]);
    throw new CatalogLookupError('UNKNOWN_ACTION', `unknown action "${name}"`, closest(name, names));
  }

  /** The Microsoft seed's named actions (CreateProduct, GetCustomer, ...). */
  namedActions(): NamedAction[] {
    return OVERRIDES.NAMED_ACTIONS;
  }

  findNamedAction(name: string): NamedAction | undefined {
    return this.namedByLooseName.get(looseKey(name));
  }

  /** What the Google seed's answer holds for an action (`object` unless listed). */
  seedRule(action: string): SeedRule {
    return OVERRIDES.SEED_RULES[action] ?? 'object';
  }

  /** The seeds' extra names for an entity's own id. */
  selfIdAliases(entity: Entity): string[] {
    return OVERRIDES.SELF_ID_ALIASES[entity.entity] ?? [];
  }

  /** Whether a body param holds another object's id, so that it also answers to `XxxId`. */
  isReferenceParam(name: string): boolean {
    return OVERRIDES.REFERENCE_PARAMS.has(name);
  }

  /** Why a field is gone from an entity (matched loosely), or undefined when it is not. */
  removedField(entity: Entity, key: string): string | undefined {
    const removed = OVERRIDES.REMOVED_FIELDS[entity.entity] ?? {};
    const gone = findLoose(Object.keys(removed), key);
    return gone && removed[gone];
  }

  /** The most items Stripe takes in an array field (matched loosely), when it documents one. */
  maxItems(entity: Entity, key: string): { field: string; max: number } | undefined {
    const limits = OVERRIDES.MAX_ITEMS[entity.entity] ?? {};
    const field = findLoose(Object.keys(limits), key);
    return field ? { field, max: limits[field] } : undefined;
  }

  /** Fields of an operation kind where '' unsets the value although the spec does not say so. */
  extraEmptyable(entity: Entity, kind: OperationKind): string[] {
    return OVERRIDES.EXTRA_EMPTYABLE[entity.entity]?.[kind] ?? [];
  }

  /**
   * Whether a write moves, concedes or commits funds (money.ts says how that is decided): `write`
   * is create, update, delete or an action's name; undefined when it moves no money.
   */
  moneyRule(entity: string, write: string): MoneyRule | undefined {
    return moneyRuleOf(this, entity, write);
  }

  /** A named schema (resource or sub-object). */
  schema(name: string): TypeSpec | undefined {
    return this.raw.schemas[name];
  }

  /**
   * The type of a dotted field path on an entity (`address.city`, `lines.data`), following refs,
   * expandable ids (as their expanded object) and arrays.
   */
  field(entity: Entity, path: string): TypeSpec | undefined {
    let current: TypeSpec | undefined = entity.schema;
    for (const part of path.split('.')) {
      current = this.objectOf(current);
      if (!current) return undefined;
      current = current.fields?.[part] ?? current.additional;
    }
    return current;
  }

  /** Resolves refs, single-resource expandables and arrays down to an object type, if any. */
  objectOf(spec: TypeSpec | undefined): TypeSpec | undefined {
    let current = spec;
    for (let depth = 0; current && depth < 8; depth++) {
      if (current.type === 'object') return current;
      if (current.type === 'ref') current = this.raw.schemas[current.ref as string];
      else if (current.type === 'array') current = current.items;
      else if (current.expandable?.length) current = this.raw.schemas[current.expandable[0]];
      else if (current.type === 'anyOf')
        current = current.of?.find((o) => o.type === 'object' || o.type === 'ref');
      else return undefined;
    }
    return undefined;
  }
}

const cache = new Map<string, StripeCatalog>();

/** The committed catalog for an API version (default: the one the connector pins). */
export function loadCatalog(apiVersion: string = DEFAULT_API_VERSION): StripeCatalog {
  let catalog = cache.get(apiVersion);
  if (!catalog) {
    const file = fileURLToPath(new URL(`../../catalog/stripe-${apiVersion}.json`, import.meta.url));
    catalog = new StripeCatalog(JSON.parse(readFileSync(file, 'utf8')) as Catalog);
    cache.set(apiVersion, catalog);
  }
  return catalog;
}
