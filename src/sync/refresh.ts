/**
 * Entities Stripe sends no events for are kept current by a periodic list on `created`: every
 * object created since the last refresh (less an overlap for Stripe's eventual consistency) is
 * upserted as a listing snapshot. Changes to older objects of such entities are not seen; the
 * catalog says which entities these are (`sync status` shows them as `refresh`). One whose list
 * takes no `created` (reference data such as tax codes) is listed whole each time.
 */
import { pages } from '../gateway/pages.ts';
import type { Gateway } from '../gateway/types.ts';
import type { SyncEntity } from './entities.ts';
import { toRow, upsertRows } from './rows.ts';
import { getState, setState } from './state.ts';
import type { Target } from './target.ts';

export const REFRESH_OVERLAP_S = 60;

export async function refreshEntity(input: {
  target: Target;
  gateway: Gateway;
  sync: string;
  account: string;
  entity: SyncEntity;
  startedAt: number;
}): Promise<number> {
  const key = {
    sync: input.sync,
    account: input.account,
    entity: input.entity.spec.entity,
    slice: 'refresh',
  };
  const since = (await getState<{ since: number }>(input.target.db, key))?.state?.since ?? input.startedAt;
  const listedAt = Math.floor(Date.now() / 1000);
  let n = 0;
  const req = {
    path: input.entity.listPath,
    params: {
      ...input.entity.listParams,
      limit: 100,
      ...(input.entity.sliceable ? { created: { gte: since - REFRESH_OVERLAP_S } } : {}),
    },
  };
  for await (const page of pages(input.gateway, req)) {
    const rows = page.map((o) =>
      toRow(input.entity.spec, o, {
        account: input.account,
        version: { created: listedAt, id: '' },
        dialect: input.target.dialect,
      }),
    );
    await upsertRows(input.target.db, input.entity.spec, rows);
    n += rows.length;
  }
  await setState(input.target.db, key, { state: { since: listedAt, refreshedAt: Date.now(), rows: n } });
  return n;
}
