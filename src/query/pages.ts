/** Paging over one API call: lists by `starting_after`, searches by `next_page`, retrieves once. */
import { ConnectorError } from '../errors.ts';
import { pages } from '../gateway/pages.ts';
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

/** The gateway maps every answer to a ConnectorError; only Stripe's "no such object" is an empty scan. */
const isNotFound = (error: unknown) => error instanceof ConnectorError && error.code === 'STRIPE_NOT_FOUND';

/** Pages of a list call, continuing after `cursor` if given. Stops when Stripe says no more. */
export function listPages(
  gateway: Gateway,
  call: ApiCall,
  options: PagingOptions = {},
  cursor?: string,
): AsyncGenerator<Array<Record<string, unknown>>> {
  return pages(gateway, request(call, options, 'list', cursor));
}

function searchPages(
  gateway: Gateway,
  call: ApiCall,
  options: PagingOptions = {},
): AsyncGenerator<Array<Record<string, unknown>>> {
  return pages(gateway, request(call, options, 'search'));
}

function request(call: ApiCall, options: PagingOptions, mode: 'list' | 'search', cursor?: string) {
  return {
    path: call.path,
    params: call.params,
    mode,
    ...(cursor ? { cursor } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onPage: (rows: number) => options.onPage?.({ rows, path: call.path }),
  };
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
