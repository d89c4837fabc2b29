/**
 * Lists nested in an object (invoice `lines`, subscription `items`) come cut at Stripe's first page
 * (10 items). When asked, the rest is fetched through the list endpoint the catalog has for the
 * list's `url`, page by page, so callers see every item.
 */
import type { ConnectorContext } from '../context.ts';
import { pages } from '../gateway/pages.ts';

const PAGE = 100;

type Json = Record<string, unknown>;

const isList = (v: unknown): v is Json & { data: Json[]; url?: string; has_more?: boolean } =>
  typeof v === 'object' && v !== null && (v as Json).object === 'list' && Array.isArray((v as Json).data);

/** Does a catalog list operation serve this url (`/v1/invoices/in_1/lines`)? */
function isCatalogListPath(ctx: ConnectorContext, url: string): boolean {
  const path = url.split('?')[0];
  return ctx.catalog
    .entities()
    .some((e) =>
      e.operations.some(
        (o) => o.kind === 'list' && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
      ),
    );
}

async function completeList(
  ctx: ConnectorContext,
  list: Json & { data: Json[]; url?: string },
): Promise<void> {
  const url = typeof list.url === 'string' ? list.url : undefined;
  if (list.has_more && url && isCatalogListPath(ctx, url)) {
    const data = [...list.data];
    const last = data[data.length - 1]?.id;
    const rest = pages(ctx.gateway, {
      path: url.split('?')[0],
      params: { limit: PAGE },
      ...(typeof last === 'string' ? { cursor: last } : {}),
    });
    for await (const page of rest) data.push(...(page as Json[]));
    list.data = data;
    list.has_more = false;
  }
  // Complete now (or was already): its count is known.
  if (!list.has_more) list.total_count = list.data.length;
}

/** Completes every list nested in the object's fields (in place), at any object depth. */
export async function expandNestedLists(ctx: ConnectorContext, object: Json): Promise<Json> {
  for (const value of Object.values(object)) {
    if (isList(value)) await completeList(ctx, value);
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      await expandNestedLists(ctx, value as Json);
    }
  }
  return object;
}
