/**
 * Path ids (`{intent}`, `{customer}`) as inputs: by the catalog's name (`intent`), by the seeds'
 * names (`PaymentIntentId`, `CustomerId`, `EntityId`, `id`), and the Google seed's misspelled
 * `SouQuoteIdrcePath` (users copy it). Ids are taken out of the payload before the body is mapped.
 */
import type { CatalogOperation, Entity, PathParam, StripeCatalog } from '../catalog/index.ts';
import { entityNameOf, looseKey } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import type { Payload } from './payload.ts';

/** The names a path param answers to, loosened, the seed's name first (for messages). */
function pathParamNames(catalog: StripeCatalog, entity: Entity, param: PathParam): string[] {
  if (param.self) {
    return [
      `${entity.entity}Id`,
      param.name,
      'id',
      'EntityId',
      `${entity.id}_id`,
      ...catalog.selfIdAliases(entity),
    ];
  }
  const parent = param.resource
    ? (catalog.findEntity(param.resource)?.entity ?? entityNameOf(param.resource))
    : undefined;
  return parent ? [`${parent}Id`, param.name, `${param.resource}_id`, `parent_${param.name}`] : [param.name];
}

export interface ResolvedIds {
  /** Path param name → id. */
  ids: Record<string, string>;
  /** The payload without the keys that were ids. */
  body: Payload;
}

/**
 * Takes the operation's path ids from `given` (explicit: the id argument, --parent, options.parents)
 * and then from the payload. A payload key that is also a body param (`customer` on
 * AttachPaymentMethod) stays in the body unless it is the seeds' `XxxId` form.
 */
export function takePathIds(
  catalog: StripeCatalog,
  entity: Entity,
  operation: CatalogOperation,
  payload: Payload,
  given: Record<string, string | undefined> = {},
): ResolvedIds & { missing: PathParam[] } {
  const bodyNames = new Set(operation.params.map((p) => looseKey(p.name)));
  const body: Payload = { ...payload };
  const ids: Record<string, string> = {};
  const missing: PathParam[] = [];
  const givenLoose = new Map(
    Object.entries(given)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [looseKey(k), v as string]),
  );
  for (const param of operation.pathParams) {
    const names = pathParamNames(catalog, entity, param).map(looseKey);
    let value = names.map((n) => givenLoose.get(n)).find((v) => v !== undefined);
    for (const [key, raw] of Object.entries(body)) {
      const loose = looseKey(key);
      if (!names.includes(loose)) continue;
      const isSeedName = loose === names[0];
      if (bodyNames.has(loose) && !isSeedName) continue;
      if (typeof raw !== 'string' || raw === '') {
        throw new ConnectorError('INVALID_VALUE', `"${key}" must be a non-empty id string`, { field: key });
      }
      delete body[key];
      value ??= raw;
    }
    if (value === undefined) missing.push(param);
    else ids[param.name] = checkPathId(value, pathParamNames(catalog, entity, param)[0], param.name);
  }
  return { ids, body, missing };
}

export function missingIdError(
  catalog: StripeCatalog,
  entity: Entity,
  missing: PathParam[],
  target: string,
): ConnectorError {
  const names = missing.map((p) => pathParamNames(catalog, entity, p)[0]);
  const also = missing.map((p) => p.name);
  return new ConnectorError(
    'MISSING_FIELD',
    `missing ${names.map((n, i) => `"${n}" (or "${also[i]}")`).join(', ')} for ${target}`,
    { field: names[0], missing: names, pathParams: also },
  );
}

/**
 * An id goes into the URL path, so it must be one plain segment: `.` or `..` would be read as a
 * dot segment (`/v1/customers/.` is the customer list, an update there a create), `/` would reach
 * another resource, and whitespace or control characters are never part of a Stripe id.
 */
export function checkPathId(value: string, name: string, pathParam: string): string {
  const fault =
    value === ''
      ? 'is empty'
      : value === '.' || value === '..'
        ? 'is a dot segment'
        : value.includes('/')
          ? 'contains "/"'
          : /[\s\p{Cc}]/u.test(value)
            ? 'contains whitespace or a control character'
            : undefined;
  if (!fault) return value;
  throw new ConnectorError(
    'INVALID_ARGUMENT',
    `invalid id ${JSON.stringify(value)} for "${name}": it ${fault}`,
    {
      field: name,
      pathParam,
      id: value,
    },
  );
}

/** `/v1/customers/{customer}/tax_ids/{id}` with its ids filled in, URL-encoded. */
export function fillPath(path: string, ids: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(ids[name]));
}
