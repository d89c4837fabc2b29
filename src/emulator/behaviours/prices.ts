/**
 * Price lookup keys as Stripe keeps them: one price per lookup key in an account; a create or
 * update naming a key another price holds is refused unless `transfer_lookup_key` moves it; lists
 * filter by `lookup_keys[]`. Creation itself is customers.ts's `createPrice`.
 */
import type { Ctx, Engine } from '../engine.ts';
import { invalid } from '../errors.ts';
import { genericHandlers, listMatcher, listPage } from '../generic.ts';
import { createPrice } from './customers.ts';

function claimLookupKey(ctx: Ctx, self?: string): void {
  const key = ctx.params.lookup_key;
  if (typeof key !== 'string' || !key) return;
  const holder = [...ctx.ns.collection('price').oldestFirst()].find(
    (p) => p.lookup_key === key && p.id !== self,
  );
  if (!holder) return;
  if (ctx.params.transfer_lookup_key !== true)
    throw invalid(`A price (\`${holder.id}\`) already uses that lookup key.`, undefined, 'lookup_key');
  ctx.engine.update(ctx, 'price', holder, { lookup_key: null });
}

export function registerPrices(engine: Engine): void {
  engine.on('price', 'create', (ctx) => {
    claimLookupKey(ctx);
    return createPrice(ctx, ctx.params);
  });
  engine.on('price', 'update', (ctx) => {
    claimLookupKey(ctx, ctx.pathValues.price);
    return genericHandlers.update(ctx);
  });
  engine.on('price', 'list', (ctx) => {
    const keys = ctx.params.lookup_keys as string[] | undefined;
    const rest = listMatcher(ctx, 'price');
    return listPage(ctx, 'price', (o) => rest(o) && (!keys || keys.includes(o.lookup_key)));
  });
}
