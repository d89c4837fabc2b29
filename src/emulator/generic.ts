/**
 * Behaviour of every catalog operation that has no hand-written state machine, derived from the
 * operation's kind, path parameters, params and response schema.
 */
import { textPdf } from './pdf.ts';
import type { CatalogOperation, OperationKind, PathParam } from '../catalog/index.ts';
import type { Ctx, Handler } from './engine.ts';
import { invalid, missing } from './errors.ts';
import { eventPrefix } from './event_names.ts';
import type { Obj } from './objects.ts';
import { parseSearch } from './search.ts';

const PAGINATION = new Set(['limit', 'starting_after', 'ending_before', 'expand', 'page', 'query']);

/** The concrete resource an operation stores and answers with (unions resolve to a member). */
export function targetResource(ctx: Ctx, op: CatalogOperation = ctx.op): string {
  const resources = ctx.engine.catalog.raw.resources;
  let id = op.response.resources?.find((r) => !r.startsWith('deleted_')) ?? ctx.resourceId;
  const poly = resources[id]?.polymorphic;
  if (poly?.length) id = poly.includes('card') ? 'card' : poly[0];
  return id;
}

function selfParam(op: CatalogOperation): PathParam | undefined {
  return op.pathParams.find((p) => p.self);
}

/** The field on a child that names its parent (`customer` on a tax_id), if the schema has one. */
export function parentLinks(
  ctx: Ctx,
  resourceId: string,
): Array<{ param: PathParam; field?: string; value: string }> {
  const fields = ctx.engine.shapes.schema(resourceId)?.fields ?? {};
  return ctx.op.pathParams
    .filter((p) => !p.self && p.resource)
    .map((p) => {
      const last = (p.resource as string).split('.').pop() as string;
      const field = fields[p.name] && p.name !== 'id' ? p.name : fields[last] ? last : undefined;
      return { param: p, field, value: ctx.pathValues[p.name] };
    });
}

function checkParents(ctx: Ctx, resourceId: string): Obj {
  const links: Obj = {};
  for (const link of parentLinks(ctx, resourceId)) {
    const parentResource = link.param.resource as string;
    if (ctx.engine.catalog.raw.resources[parentResource]?.operations.some((o) => o.kind === 'retrieve')) {
      ctx.engine.get(ctx, parentResource, link.value, link.param.name);
    }
    if (link.field) links[link.field] = link.value;
  }
  return links;
}

/** The object an operation acts on: its `self` path parameter, or a per-namespace singleton. */
export function selfObject(ctx: Ctx, resourceId = targetResource(ctx)): Obj {
  const self = selfParam(ctx.op);
  if (!self) return singleton(ctx, resourceId);
  const id = ctx.pathValues[self.name];
  let found = ctx.engine.find(ctx, resourceId, id) ?? ctx.engine.find(ctx, ctx.resourceId, id);
  // A union (a customer's payment source): the id may name any of its members (a bank account).
  const union = ctx.op.response.resources?.find((r) => !r.startsWith('deleted_'));
  for (const member of (union && ctx.engine.catalog.raw.resources[union]?.polymorphic) || []) {
    found ??= ctx.engine.find(ctx, member, id);
  }
  if (!found) throw missing(resourceId, id, 'id');
  for (const link of parentLinks(ctx, resourceId)) {
    const v = link.field ? found[link.field] : undefined;
    // The parent may be embedded (a mandate notification's `source`) rather than named by id.
    if (v !== undefined && (v && typeof v === 'object' ? v.id : v) !== link.value) {
      throw missing(resourceId, id, 'id');
    }
  }
  return found;
}

function singleton(ctx: Ctx, resourceId: string): Obj {
  const parent = ctx.op.pathParams.map((p) => ctx.pathValues[p.name]).join('/');
  const key = `singleton:${resourceId}:${parent}`;
  let obj = ctx.ns.side.get(key) as Obj | undefined;
  if (!obj) {
    checkParents(ctx, resourceId);
    const fields: Obj = {};
    const schema = ctx.engine.shapes.schema(resourceId);
    for (const link of parentLinks(ctx, resourceId)) if (link.field) fields[link.field] = link.value;
    obj = ctx.engine.create(ctx, resourceId, fields, { store: false, emit: false });
    if (resourceId === 'account') obj.id = ctx.account ?? ctx.owner ?? 'acct_emulator';
    else if (!schema?.fields?.id) delete obj.id;
    ctx.ns.side.set(key, obj);
  }
  return obj;
}

const create: Handler = (ctx) => {
  const resourceId = targetResource(ctx);
  const fields = checkParents(ctx, resourceId);
  const acceptsId = ctx.op.params.some((p) => p.name === 'id');
  if (acceptsId && typeof ctx.params.id === 'string') {
    if (ctx.ns.collection(resourceId).has(ctx.params.id)) {
      throw invalid(`${resourceId} already exists.`, 'resource_already_exists', 'id');
    }
    fields.id = ctx.params.id;
  }
  const obj = ctx.engine.create(ctx, resourceId, fields, { emit: false });
  ctx.engine.shapes.apply(obj, resourceId, ctx.params, new Set(Object.keys(fields)));
  ctx.engine.emit(ctx, `${eventPrefix(resourceId)}.created`, obj);
  return obj;
};

const retrieve: Handler = (ctx) => {
  const resourceId = targetResource(ctx);
  const self = selfParam(ctx.op);
  if (self) {
    const id = ctx.pathValues[self.name];
    const deleted = ctx.ns.tombstones.get(id);
    if (
      deleted &&
      !ctx.engine.find(ctx, resourceId, id) &&
      ctx.op.response.resources?.some((r) => r.startsWith('deleted_'))
    ) {
      return { id, object: deleted, deleted: true };
    }
  }
  return selfObject(ctx, resourceId);
};

/** The resource a found object belongs to: its own `object` where that is a stored resource. */
function ownResource(ctx: Ctx, obj: Obj, fallback: string): string {
  return typeof obj.object === 'string' && ctx.engine.catalog.raw.resources[obj.object]
    ? obj.object
    : fallback;
}

const update: Handler = (ctx) => {
  const obj = selfObject(ctx, targetResource(ctx));
  const resourceId = ownResource(ctx, obj, targetResource(ctx));
  const previous = ctx.engine.shapes.apply(obj, resourceId, ctx.params);
  if (Object.keys(previous).length) ctx.engine.emit(ctx, `${eventPrefix(resourceId)}.updated`, obj, previous);
  return obj;
};

/** Stripe keeps answering retrieve for these after deletion, with `deleted: true`. */
const TOMBSTONED = new Set(['customer']);

const del: Handler = (ctx) => {
  let resourceId = targetResource(ctx);
  let deletedSchema = ctx.op.response.resources?.find((r) => r.startsWith('deleted_'));
  if (!selfParam(ctx.op)) {
    const obj = selfObject(ctx, resourceId);
    return deletedSchema ? deletedObject(ctx, deletedSchema, obj) : obj;
  }
  const obj = selfObject(ctx, resourceId);
  resourceId = ownResource(ctx, obj, resourceId);
  const poly = deletedSchema ? ctx.engine.catalog.raw.resources[deletedSchema]?.polymorphic : undefined;
  if (poly?.length) deletedSchema = poly.find((d) => d === `deleted_${obj.object}`) ?? poly[0];
  if (!deletedSchema) {
    // Deleting these (subscriptions, ephemeral keys) ends them rather than removing them.
    const statusSpec = ctx.engine.shapes.schema(resourceId)?.fields?.status;
    if (statusSpec && (statusSpec.type !== 'enum' || statusSpec.values?.includes('canceled'))) {
      ctx.engine.update(ctx, resourceId, obj, { status: 'canceled' });
    }
    return obj;
  }
  ctx.ns.collection(resourceId).delete(obj.id);
  if (TOMBSTONED.has(resourceId)) ctx.ns.tombstones.set(obj.id, resourceId);
  ctx.engine.emit(ctx, `${eventPrefix(resourceId)}.deleted`, obj);
  return deletedObject(ctx, deletedSchema, obj);
};

export function deletedObject(ctx: Ctx, deletedSchema: string, obj: Obj): Obj {
  const out = ctx.engine.shapes.template(deletedSchema);
  const fields = ctx.engine.shapes.schema(deletedSchema)?.fields ?? {};
  for (const k of Object.keys(fields)) if (k in obj) out[k] = obj[k];
  out.id = obj.id;
  out.deleted = true;
  return out;
}

export function listMatcher(
  ctx: Ctx,
  resourceId: string,
  skip: ReadonlySet<string> = new Set(),
): (o: Obj) => boolean {
  const fields = ctx.engine.shapes.schema(resourceId)?.fields ?? {};
  const tests: Array<(o: Obj) => boolean> = [];
  for (const link of parentLinks(ctx, resourceId)) {
    if (link.field) tests.push((o) => o[link.field as string] === link.value);
  }
  for (const [name, value] of Object.entries(ctx.params)) {
    if (PAGINATION.has(name) || skip.has(name) || value === null || value === undefined) continue;
    if (!fields[name]) continue;
    if (typeof value === 'object' && !Array.isArray(value)) {
      const range = value as Obj;
      if (['gt', 'gte', 'lt', 'lte'].some((k) => k in range)) {
        tests.push((o) => {
          const v = o[name];
          if (typeof v !== 'number') return false;
          return (
            (range.gt === undefined || v > range.gt) &&
            (range.gte === undefined || v >= range.gte) &&
            (range.lt === undefined || v < range.lt) &&
            (range.lte === undefined || v <= range.lte)
          );
        });
      }
      continue;
    }
    if (Array.isArray(value)) continue;
    tests.push((o) => {
      const v = o[name];
      const id = v && typeof v === 'object' ? v.id : v;
      return (
        id === value ||
        (typeof value === 'string' &&
          typeof id === 'string' &&
          name === 'email' &&
          id.toLowerCase() === value.toLowerCase())
      );
    });
  }
  return (o) => tests.every((t) => t(o));
}

export function listPage(ctx: Ctx, resourceId: string, match: (o: Obj) => boolean): Obj {
  const limit = pageLimit(ctx);
  const page = ctx.ns.collection(resourceId).page(
    limit,
    {
      startingAfter: ctx.params.starting_after as string,
      endingBefore: ctx.params.ending_before as string,
    },
    match,
  );
  if ('missingCursor' in page) {
    const param = ctx.params.starting_after !== undefined ? 'starting_after' : 'ending_before';
    throw missing(resourceId, page.missingCursor, param);
  }
  return { object: 'list', data: page.data, has_more: page.hasMore, url: ctx.path };
}

export function pageLimit(ctx: Ctx): number {
  const limit = ctx.params.limit === undefined ? 10 : Number(ctx.params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalid('Invalid limit: must be between 1 and 100', 'parameter_invalid_integer', 'limit');
  }
  return limit;
}

const list: Handler = (ctx) => {
  const resourceId = targetResource(ctx);
  checkParents(ctx, resourceId);
  return listPage(ctx, resourceId, listMatcher(ctx, resourceId));
};

const search: Handler = (ctx) => {
  const resourceId = targetResource(ctx);
  const predicate = parseSearch(String(ctx.params.query ?? ''));
  const limit = pageLimit(ctx);
  let skip = 0;
  if (typeof ctx.params.page === 'string' && ctx.params.page) {
    skip = Number(
      Buffer.from(ctx.params.page, 'base64url')
        .toString()
        .replace(/^page_/, ''),
    );
    if (!Number.isInteger(skip) || skip < 0) throw invalid('Invalid page token.', undefined, 'page');
  }
  const data: Obj[] = [];
  let seen = 0;
  let hasMore = false;
  for (const obj of ctx.ns.collection(resourceId).newestFirst()) {
    if (!predicate(ctx.engine.render(obj))) continue;
    if (seen++ < skip) continue;
    if (data.length === limit) {
      hasMore = true;
      break;
    }
    data.push(obj);
  }
  const nextPage = hasMore ? Buffer.from(`page_${skip + limit}`).toString('base64url') : null;
  return { object: 'search_result', data, has_more: hasMore, next_page: nextPage, url: ctx.path };
};

/** Status a generic custom method leaves the object in, where the method's name says it. */
const STATUS_OF: Record<string, string> = {
  cancel: 'canceled',
  void: 'void',
  expire: 'expired',
  close: 'lost',
  reject: 'rejected',
  approve: 'approved',
  decline: 'declined',
  submit: 'submitted',
  fail: 'failed',
  post: 'posted',
  return: 'returned',
  succeed: 'succeeded',
  reverse: 'reversed',
  disconnect: 'disconnected',
  release: 'released',
};

const custom: Handler = (ctx) => {
  const resourceId = targetResource(ctx);
  // A document of the object, or 404 like its retrieve (quotes have their own, with lines).
  if (ctx.op.response.kind === 'binary') {
    const obj = selfObject(ctx, resourceId);
    return textPdf(`${resourceId} ${obj.id}`, [
      `Created: ${new Date((obj.created ?? ctx.now) * 1000).toISOString()}`,
    ]);
  }
  if (!selfParam(ctx.op)) {
    // Custom creators (test helpers, previews) make a new object from their params.
    const fields = checkParents(ctx, resourceId);
    const store = /^create|^fund|^present/.test(ctx.op.name) || ctx.op.testHelper === true;
    const obj = ctx.engine.create(ctx, resourceId, fields, { emit: false, store });
    ctx.engine.shapes.apply(obj, resourceId, ctx.params);
    if (store) ctx.engine.emit(ctx, `${eventPrefix(resourceId)}.created`, obj);
    return obj;
  }
  const obj = selfObject(ctx, resourceId);
  ctx.engine.shapes.apply(obj, resourceId, ctx.params);
  const status = STATUS_OF[ctx.op.name.split('_')[0]];
  const statusSpec = ctx.engine.shapes.schema(resourceId)?.fields?.status;
  const changes: Obj = {};
  if (status && statusSpec && (statusSpec.type !== 'enum' || statusSpec.values?.includes(status)))
    changes.status = status;
  ctx.engine.update(ctx, resourceId, obj, changes);
  return obj;
};

export const genericHandlers: Record<OperationKind, Handler> = {
  create,
  retrieve,
  update,
  delete: del,
  list,
  search,
  custom,
};
