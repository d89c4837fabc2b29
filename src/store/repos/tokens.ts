/**
 * API tokens: random, returned once, stored only as their SHA-256 (a token has 256 bits of entropy,
 * so a fast hash is enough: no dictionary to guard against, and verify stays one indexed look-up).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { TokensTable } from '../schema.ts';
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { TokenRecord, TokenRepo, TokenScope } from '../types.ts';

export const TOKEN_PREFIX = 'sct_';

/** How exact a token's lastUsedAt is: verify writes it at most once per this long. */
export const LAST_USED_GRANULARITY_MS = 60_000;

export const hashToken = (plain: string): string => createHash('sha256').update(plain).digest('hex');

function toRecord(r: Selectable<TokensTable>): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    scopes: fromJson<TokenScope[]>(r.scopes),
    connections: fromJson<string[] | null>(r.connections),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export function tokenRepo({ db, now }: RepoContext): TokenRepo {
  return {
    async create({ name, scopes, connections }) {
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const row = await db
        .insertInto('tokens')
        .values({
          id: 'tok_' + randomBytes(8).toString('hex'),
          name,
          hash: hashToken(token),
          scopes: toJson(scopes),
          connections: connections ? toJson(connections) : null,
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { token, record: toRecord(row) };
    },
    async verify(plain) {
      const t = now();
      const row = await db
        .selectFrom('tokens')
        .selectAll()
        .where('hash', '=', hashToken(plain))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (!row) return undefined;
      // Every request verifies its token: a write each time would make every read a write (one
      // commit per request on SQLite, one hot row per token across nodes on PostgreSQL), so the
      // last use is kept to the minute.
      if (row.last_used_at === null || t - row.last_used_at >= LAST_USED_GRANULARITY_MS) {
        await db.updateTable('tokens').set({ last_used_at: t }).where('id', '=', row.id).execute();
        row.last_used_at = t;
      }
      return toRecord(row);
    },
    async list() {
      return (await db.selectFrom('tokens').selectAll().orderBy('created_at').orderBy('id').execute()).map(
        toRecord,
      );
    },
    async revoke(id) {
      const r = await db
        .updateTable('tokens')
        .set({ revoked_at: now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
