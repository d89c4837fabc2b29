/** Paging over one API call: lists by `starting_after`, searches by `next_page`, retrieves once. */
import type { Gateway } from '../gateway/types.ts';
import type { ApiCall, Scan } from './plan.ts';

export interface PageEvent {
  rows: number;
  path: string;
}

export interface PagingOptions {
  signal?: AbortSignal;
  onPage?: (event: PageEvent) => void;
}

interface ListBody {
  data: Array<Record<string, unknown>>;
  has_more: boolean;
  next_page?: string | null;
}

function isNotFound(error: unknown): boolean {
  const e = error as { statusCode?: number; status?: number; code?: string; raw?: { code?: string } };
  return (
    e?.statusCode === 404 ||
    e?.status === 404 ||
    e?.code === 'STRIPE_NOT_FOUND' ||
    e?.code === 'resource_missing' ||
    e?.raw?.code === 'resource_missing'
  );
}

/** Pages of a list call, continuing after `cursor` if given. Stops when Stripe says no more. */
export async function* listPages(
  gateway: Gateway,
  call: ApiCall,
  options: PagingOptions = {},
  cursor?: string,
): AsyncGenerator<Array<Record<string, unknown>>> {
  let startingAfter = cursor;
  for (;;) {
    options.signal?.throwIfAborted();
    const params = startingAfter ? { ...call.params, starting_after: startingAfter } : call.params;
    const body = await gateway.request<ListBody>({
      method: call.method,
      path: call.path,
      params,
      signal: options.signal,
    });
    const data = body.data ?? [];
    options.onPage?.({ rows: data.length, path: call.path });
    if (data.length) yield data;
    if (!body.has_more || data.length === 0) return;
    startingAfter = String(data[data.length - 1].id);
  }
}

export async function* searchPages(
  gateway: Gateway,
  call: ApiCall,
  options: PagingOptions = {},
): AsyncGenerator<Array<Record<string, unknown>>> {
  let page: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const params = page ? { ...call.params, page } : call.params;
    const body = await gateway.request<ListBody>({
      method: call.method,
      path: call.path,
      params,
      signal: options.signal,
    });
    const data = body.data ?? [];
    options.onPage?.({ rows: data.length, path: call.path });
    if (data.length) yield data;
    if (!body.has_more || !body.next_page || data.length === 0) return;
    page = body.next_page;
  }
}

export async function* scanPages(
  gateway: Gateway,
  scan: Scan,
  options: PagingOptions = {},
): AsyncGenerator<Array<Record<string, unknown>>> {
  if (scan.kind === 'list') return yield* listPages(gateway, scan.call, options);
  if (scan.kind === 'search') return yield* searchPages(gateway, scan.call, options);
  try {
    const object = await gateway.request<Record<string, unknown>>({ ...scan.call, signal: options.signal });
    options.onPage?.({ rows: 1, path: scan.call.path });
    // A deleted object can still be retrieved (`deleted: true`); it is not a row of the entity.
    if (object && !object.deleted) yield [object];
  } catch (error) {
    if (!isNotFound(error)) throw error;
    options.onPage?.({ rows: 0, path: scan.call.path });
  }
}
