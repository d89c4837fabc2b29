/**
 * The two statement shapes every trigger event runs (an insert that skips duplicates, a guarded
 * update), written once for both backends: straight on SQLite's connection inside a transaction
 * (`RepoContext.direct`), else through the query builder. Column names come from our own code,
 * never from input; values are always parameters.
 */
import type { RepoContext } from './context.ts';
import type { StoreDatabase } from './schema.ts';

type Table = keyof StoreDatabase;
type Row = Record<string, unknown>;

const texts = new Map<string, string>();
/** The SQL text for a shape, made once (the same text is the same prepared statement). */
function text(key: string, make: () => string): string {
  let t = texts.get(key);
  if (t === undefined) texts.set(key, (t = make()));
  return t;
}
const quote = (name: string) => `"${name}"`;

/** `insert … on conflict (conflict) do nothing`: the new row's id, or undefined if one was there. */
export async function insertNew(
  ctx: RepoContext,
  table: Table,
  row: Row,
  conflict: readonly string[],
): Promise<number | undefined> {
  const columns = Object.keys(row);
  if (ctx.direct) {
    const sql = text(`insert:${table}:${columns}:${conflict}`, () => {
      const marks = columns.map(() => '?').join(', ');
      return `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${marks}) on conflict (${conflict.map(quote).join(', ')}) do nothing returning "id"`;
    });
    return ctx.direct.get<{ id: number }>(sql, ...Object.values(row))?.id;
  }
  const r = await ctx.db
    .insertInto(table)
    .values(row as never)
    .onConflict((oc) => oc.columns(conflict as never).doNothing())
    .returning('id' as never)
    .executeTakeFirst();
  return r === undefined ? undefined : Number((r as { id: number }).id);
}

/** `update table set … where` each `where` column equals its value (null: is null); rows changed. */
export async function updateWhere(ctx: RepoContext, table: Table, set: Row, where: Row): Promise<number> {
  const sets = Object.keys(set);
  const keys = Object.keys(where);
  if (ctx.direct) {
    const sql = text(`update:${table}:${sets}:${keys}:${keys.map((k) => where[k] === null)}`, () => {
      const conditions = keys.map((k) => (where[k] === null ? `${quote(k)} is null` : `${quote(k)} = ?`));
      return `update ${quote(table)} set ${sets.map((c) => `${quote(c)} = ?`).join(', ')} where ${conditions.join(' and ')}`;
    });
    const params = [...Object.values(set), ...keys.filter((k) => where[k] !== null).map((k) => where[k])];
    return ctx.direct.run(sql, ...params).changes;
  }
  let q = ctx.db.updateTable(table).set(set as never);
  for (const k of keys) q = q.where(k as never, where[k] === null ? 'is' : '=', where[k] as never);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}
