/** Group commit on the real store: writes share transactions; urgent ones skip the queue, fairly. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Repos, type Store } from '../../../src/store/index.ts';
import { GroupCommit, LAZY_MS } from '../../../src/triggers/store/group-commit.ts';

let store: Store;
beforeEach(async () => {
  store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'group-commit-')) });
});
afterEach(() => store.close());

/** The writes of each transaction, in commit order (a transaction is known by its repos object). */
function recorded(commit: GroupCommit) {
  const byTx = new Map<object, string[]>();
  const write = (name: string, urgent = false, then?: (tx: Repos) => void, lazy = false) =>
    commit.run(
      async (tx) => {
        if (!byTx.has(tx)) byTx.set(tx, []);
        byTx.get(tx)!.push(name);
        await tx.kv.set(name, true);
        then?.(tx);
      },
      { urgent, lazy },
    );
  return { batches: () => [...byTx.values()], write };
}

describe('group commit', () => {
  it('commits a burst in few transactions, capped; an urgent write goes into the next one, with other urgent ones only', async () => {
    const commit = new GroupCommit(store, 10);
    const { batches, write } = recorded(commit);
    const burst = Array.from({ length: 25 }, (_, i) => write(`w${i}`));
    const acks = [write('ack1', true), write('ack2', true)];
    await Promise.all([...burst, ...acks]);
    expect(batches().map((b) => b.length)).toEqual([2, 10, 10, 5]);
    expect(batches()[0]).toEqual(['ack1', 'ack2']);
    expect(await store.kv.get('w24')).toBe(true);
  });

  it('never starves the others: an urgent batch is followed by a normal one while any wait', async () => {
    const commit = new GroupCommit(store, 5);
    const { batches, write } = recorded(commit);
    // An urgent writer that queues its next write while its transaction is still open.
    const chain: Promise<unknown>[] = [];
    const urgent = (i: number): Promise<unknown> =>
      write(`u${i}`, true, () => void (i < 3 && chain.push(urgent(i + 1))));
    const normal = Array.from({ length: 10 }, (_, i) => write(`w${i}`));
    chain.push(urgent(0));
    await Promise.all(normal);
    for (let i = 0; i < chain.length; i++) await chain[i];
    expect(batches().map((b) => b[0]![0])).toEqual(['u', 'w', 'u', 'w', 'u', 'u']);
  });

  it('a lazy write rides along in the next transaction that starts, or starts its own after LAZY_MS; flush commits it', async () => {
    const commit = new GroupCommit(store);
    const { batches, write } = recorded(commit);
    const alone = write('lazy1', false, undefined, true);
    const started = Date.now();
    await alone;
    expect(Date.now() - started).toBeGreaterThanOrEqual(LAZY_MS - 1);
    const along = write('lazy2', false, undefined, true);
    await new Promise((r) => setTimeout(r, 1));
    await Promise.all([along, write('webhook')]);
    const flushed = write('lazy3', false, undefined, true);
    const flushing = Date.now();
    await commit.flush();
    expect(Date.now() - flushing).toBeLessThan(LAZY_MS);
    await flushed;
    expect(batches()).toEqual([['lazy1'], ['lazy2', 'webhook'], ['lazy3']]);
  });
});
