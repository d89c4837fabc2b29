/** Small named values (e.g. the webhook endpoint id per connection) that need no table of their own. */
import { fromJson, toJson, type RepoContext } from '../context.ts';
import type { KvRepo } from '../types.ts';

export function kvRepo({ db, now }: RepoContext): KvRepo {
  return {
    async get(key) {
      const r = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
      return r ? fromJson(r.value) : undefined;
    },
    async set(key, value) {
      const t = now();
      await db
        .insertInto('kv')
        .values({ key, value: toJson(value), updated_at: t })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: toJson(value), updated_at: t }))
        .execute();
    },
    async remove(key) {
      const r = await db.deleteFrom('kv').where('key', '=', key).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
