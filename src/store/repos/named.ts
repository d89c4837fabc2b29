/**
 * Named definitions (connections, billing integrations): JSON under a unique name. Their secrets
 * are kept as references (env:VAR, file:PATH) only; a value that looks like a literal secret is
 * refused, naming where it was, and never echoed.
 */
import { ConnectorError } from '../../errors.ts';
import { isSecretReference, looksLikeSecretLiteral } from '../../connection/secrets.ts';
import type { Selectable } from 'kysely';
import type { ConnectionsTable } from '../schema.ts';
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { NamedRecord, NamedRepo } from '../types.ts';

/** Keys whose value is a secret whatever it looks like (a proxy password, an API key). */
const SECRET_KEY = /(apikey|secretkey|secret|password|passphrase|token)$/i;

export function refuseLiteralSecrets(value: unknown, path: string): void {
  if (typeof value === 'string') {
    const key =
      path
        .split('.')
        .pop()
        ?.replace(/\[\d+\]$/, '') ?? '';
    if (!isSecretReference(value) && (looksLikeSecretLiteral(value) || SECRET_KEY.test(key))) {
      throw new ConnectorError(
        'INVALID_VALUE',
        `${path}: a literal secret cannot be stored; write env:VAR or file:PATH instead`,
        { field: path },
      );
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => refuseLiteralSecrets(v, `${path}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) refuseLiteralSecrets(v, path ? `${path}.${k}` : k);
  }
}

/**
 * A repository of named JSON definitions in `table` (triggers, connections): upsert, get, list,
 * remove. With refuseSecrets, a definition holding a literal secret is refused before it is stored.
 */
export function namedRepo(
  { db, now }: RepoContext,
  table: 'triggers' | 'connections',
  opts: { refuseSecrets: boolean },
): NamedRepo {
  const toRecord = <D>(r: Selectable<ConnectionsTable>): NamedRecord<D> => ({
    name: r.name,
    definition: fromJson<D>(r.definition),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  return {
    async put(name, definition) {
      if (opts.refuseSecrets) refuseLiteralSecrets(definition, '');
      const t = now();
      const json = toJson(definition);
      const row = await db
        .insertInto(table)
        .values({ name, definition: json, created_at: t, updated_at: t })
        .onConflict((oc) => oc.column('name').doUpdateSet({ definition: json, updated_at: t }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },
    async get(name) {
      const r = await db.selectFrom(table).selectAll().where('name', '=', name).executeTakeFirst();
      return r && toRecord(r);
    },
    async list() {
      return (await db.selectFrom(table).selectAll().orderBy('name').execute()).map((r) => toRecord(r));
    },
    async remove(name) {
      const r = await db.deleteFrom(table).where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
