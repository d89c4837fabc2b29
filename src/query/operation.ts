/**
 * Planner step 2, pick the list operation: the entity's own list if it applies, else a nested
 * list whose parent ids the filter gives (`customer = 'cus_1'` for TaxId's /v1/customers/{customer}/tax_ids).
 */
import type { CatalogOperation, StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import type { LeafExpr } from './ast.ts';
import type { BoundQuery } from './bind.ts';
import { caret } from './lex.ts';
import { abbreviate, REQUEST_MAX } from './request-size.ts';

export interface ListChoice {
  op: CatalogOperation;
  /** The path with its parent ids filled in. */
  path: string;
  /** The `parent = 'id'` predicates the path took. */
  consumed: LeafExpr[];
  /** Top-level `field = value` predicates by field. */
  equalities: Map<string, LeafExpr>;
}

/**
 * An id that can name an object in a path. `''`, `.` and `..` cannot: a URL resolver drops dot
 * segments, so `/v1/customers/.` would be the list. Such an id matches no object.
 */
export const pathId = (id: string) => id !== '' && id !== '.' && id !== '..';

/** The names a parent path param answers to (`customer`, `session`/`checkout_session`). */
function parentNames(param: { name: string; resource?: string }): string[] {
  return [param.name, param.resource ?? '', (param.resource ?? '').replace(/\./g, '_')].filter(Boolean);
}

function fill(op: CatalogOperation, equalities: Map<string, LeafExpr>): ListChoice | undefined {
  const consumed: LeafExpr[] = [];
  let path = op.path;
  for (const p of op.pathParams) {
    const leaf = parentNames(p)
      .map((n) => equalities.get(n))
      .find(Boolean);
    if (!leaf || leaf.kind !== 'compare' || typeof leaf.value !== 'string') return undefined;
    // No object has such an id, and sending it would change the path or break the size bound.
    if (!pathId(leaf.value) || leaf.value.length > REQUEST_MAX / 2)
      throw new ConnectorError(
        'INVALID_VALUE',
        `${leaf.field}: '${abbreviate(leaf.value, 40)}' cannot be an id`,
        {
          field: leaf.field,
          position: leaf.pos,
        },
      );
    consumed.push(leaf);
    path = path.replace(`{${p.name}}`, encodeURIComponent(leaf.value));
  }
  return { op, path, consumed, equalities };
}

export function pickListOperation(catalog: StripeCatalog, q: BoundQuery): ListChoice {
  const { entity } = q;
  const equalities = new Map<string, LeafExpr>();
  for (const item of q.items)
    if (item.kind === 'compare' && item.op === '=') equalities.set(item.field, item);
  const ops = catalog.operationsOf(entity, 'list');
  if (!ops.length) {
    const kinds = [...new Set(entity.operations.map((o) => o.kind))].join(', ');
    throw new ConnectorError(
      'OPERATION_NOT_SUPPORTED',
      `${entity.entity} has no List operation (it has: ${kinds})`,
      {
        entity: entity.entity,
      },
    );
  }
  // The primary operation if it applies; else the nested variant with the plainest path
  // (`/v1/quotes/{quote}/line_items` before `/computed_upfront_line_items`).
  const ordered = [ops[0], ...ops.slice(1).sort((a, b) => a.path.length - b.path.length)];
  for (const op of ordered) {
    const choice = fill(op, equalities);
    if (choice) return choice;
  }
  const options = ops.map((o) => o.pathParams.map((p) => `${p.name} = '<id>'`).join(' AND ')).join(' | ');
  throw new ConnectorError(
    'QUERY_UNSUPPORTED',
    `${entity.entity} is listed under its parent: the filter needs ${options}`,
    {
      entity: entity.entity,
      hint: q.source ? caret(q.source, 0) : undefined,
    },
  );
}
