/** Merges streams that are each oldest first into one stream oldest first (by `created`). */
import type { Obj } from './forward.ts';

export interface Tagged {
  item: Obj;
  /** Index of the stream it came from. */
  from: number;
}

export async function* mergeByCreated(streams: AsyncIterator<Obj>[]): AsyncGenerator<Tagged> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      if (heads[i].done) continue;
      if (best < 0 || heads[i].value.created < heads[best].value.created) best = i;
    }
    if (best < 0) return;
    yield { item: heads[best].value, from: best };
    heads[best] = await streams[best].next();
  }
}
