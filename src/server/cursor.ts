/**
 * Cursor pagination over a query. A cursor is opaque to clients (base64url JSON) and carries where
 * the previous page ended plus a digest of the query, so it cannot be replayed on another query.
 *   - keyset: a plain list scan in Stripe's order continues with `starting_after` = the id of the
 *     last row sent. Rows filtered out locally between pages are skipped again, never sent twice,
 *     and objects created meanwhile do not shift the page (Stripe's own cursor semantics);
 *   - offset: every other plan (search, several scans, local sort, SQL LIMIT/OFFSET) continues after
 *     the number of rows already sent, exact as long as the data does not change in between.
 */
import { createHash } from 'node:crypto';
import type { ConnectorContext } from '../context.ts';
import { ConnectorError } from '../errors.ts';
import { planQuery, runQuery, type Plan, type Row } from '../query/index.ts';

/** Stripe's largest list page. */
const STRIPE_PAGE_MAX = 100;
/** A column added to a projection so the cursor knows each row's id; never sent. */
const CURSOR_ID = '\u0000cursor_id';

export interface PageQuery {
  entity?: string;
  filter?: string;
  sql?: string;
  /** Rows in this page; undefined: all the rest. */
  limit?: number;
  cursor?: string;
}

interface Position {
  v: 1;
  q: string;
  after?: string;
  offset?: number;
}

export interface Page {
  rows: AsyncGenerator<Row>;
  /** The cursor of the next page, once `rows` is exhausted; null when this was the last page. */
  nextCursor(): string | null;
}

function digestOf(q: PageQuery): string {
  const key = JSON.stringify([q.entity?.toLowerCase() ?? '', q.filter ?? '', q.sql ?? '']);
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

function badCursor(why: string): ConnectorError {
  return new ConnectorError('INVALID_ARGUMENT', `cursor: ${why}`, { field: 'cursor' });
}

function decode(cursor: string, digest: string): Position {
  let position: Position;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('not a cursor this server issued');
  }
  if (position?.v !== 1 || typeof position.q !== 'string') throw badCursor('not a cursor this server issued');
  if (position.q !== digest)
    throw badCursor('it belongs to another query (entity, filter and sql must not change)');
  const offsetOk =
    position.offset === undefined || (Number.isInteger(position.offset) && position.offset >= 0);
  if (!offsetOk || (position.after !== undefined && typeof position.after !== 'string'))
    throw badCursor('not a cursor this server issued');
  return position;
}

const encode = (p: Position) => Buffer.from(JSON.stringify(p)).toString('base64url');

/** One list scan in Stripe's order, whole: `starting_after` continues it exactly. */
function keysetable(plan: Plan): boolean {
  return (
    plan.scans.length === 1 &&
    plan.scans[0].kind === 'list' &&
    (plan.orderMode === 'none' || plan.orderMode === 'native') &&
    !plan.count &&
    plan.offset === 0 &&
    plan.limit === undefined
  );
}

export function queryPage(ctx: ConnectorContext, q: PageQuery, signal?: AbortSignal): Page {
  const digest = digestOf(q);
  const position = q.cursor ? decode(q.cursor, digest) : undefined;
  const plan = planQuery(ctx.catalog, { entity: q.entity, filter: q.filter, sql: q.sql });
  const keyset = keysetable(plan);
  // Keyset needs every row's id: a projection gets a hidden id column, taken off before sending.
  const hidden = keyset && plan.select !== undefined;
  if (hidden) plan.select = [...plan.select!, { field: 'id', as: CURSOR_ID, pos: 0 }];
  // A page is short: concurrent slices of the created range would not follow one order.
  if (q.limit !== undefined) plan.sliceable = false;
  const scan = plan.scans[0].call.params;
  if (position?.after !== undefined) {
    if (!keyset) throw badCursor('not a cursor this server issued');
    scan.starting_after = position.after;
  }
  if (keyset && q.limit !== undefined && !plan.residual && !plan.recheck)
    scan.limit = Math.min(STRIPE_PAGE_MAX, q.limit + 1);
  const skip = keyset ? 0 : (position?.offset ?? 0);
  let next: string | null = null;

  async function* rows(): AsyncGenerator<Row> {
    let skipped = 0;
    let sent = 0;
    let lastId: unknown;
    for await (const row of runQuery(ctx, plan, {
      signal,
      ...(q.limit !== undefined ? { concurrency: 1 } : {}),
    })) {
      if (skipped < skip) {
        skipped++;
        continue;
      }
      if (q.limit !== undefined && sent === q.limit) {
        // One row more than the page exists: there is a next page, which starts after the last row sent.
        next = encode(
          keyset ? { v: 1, q: digest, after: String(lastId) } : { v: 1, q: digest, offset: skip + sent },
        );
        return;
      }
      sent++;
      if (hidden) {
        const { [CURSOR_ID]: id, ...visible } = row;
        lastId = id;
        yield visible;
      } else {
        lastId = row.id;
        yield row;
      }
    }
  }
  return { rows: rows(), nextCursor: () => next };
}
