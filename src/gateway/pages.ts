/**
 * Paging through a Stripe collection, the one loop every layer uses: lists continue with
 * `starting_after` = the last id, searches with the `next_page` token Stripe hands back. Pages are
 * pulled one at a time, so a consumer that stops early stops the fetching.
 */
import type { Gateway } from './types.ts';

export type Page = Array<Record<string, unknown>>;

export interface PagesRequest {
  path: string;
  params?: Record<string, unknown>;
  /** `list` (default): cursor by the last id; `search`: cursor by `next_page`. */
  mode?: 'list' | 'search';
  /** Start after this id (lists) or at this page token (searches). */
  cursor?: string;
  signal?: AbortSignal;
  /** Called after every page with its row count (progress). */
  onPage?: (rows: number) => void;
}

interface CollectionBody {
  data?: Page;
  has_more?: boolean;
  next_page?: string | null;
}

export async function* pages(gateway: Gateway, req: PagesRequest): AsyncGenerator<Page> {
  const search = req.mode === 'search';
  let cursor = req.cursor;
  for (;;) {
    req.signal?.throwIfAborted();
    const params = cursor ? { ...req.params, [search ? 'page' : 'starting_after']: cursor } : req.params;
    const body = await gateway.request<CollectionBody>({
      method: 'GET',
      path: req.path,
      params,
      signal: req.signal,
    });
    const data = body.data ?? [];
    req.onPage?.(data.length);
    if (data.length) yield data;
    // An empty page that claims more would loop forever on the same cursor.
    if (!body.has_more || data.length === 0) return;
    const next = search ? body.next_page : data[data.length - 1].id;
    if (!next) return;
    cursor = String(next);
  }
}
