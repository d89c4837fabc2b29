import { describe, expect, it } from 'vitest';
import { pages } from '../../src/gateway/pages.ts';
import type { Gateway, GatewayRequest } from '../../src/gateway/types.ts';

/** A gateway that answers each request with the next scripted body and records the params. */
function scripted(bodies: unknown[]): Gateway & { seen: GatewayRequest[] } {
  const seen: GatewayRequest[] = [];
  return {
    seen,
    mode: 'test',
    apiVersion: '2023-08-16',
    async request<T>(req: GatewayRequest): Promise<T> {
      seen.push(req);
      return bodies[seen.length - 1] as T;
    },
    async close() {},
  };
}

async function all(it: AsyncIterable<Array<Record<string, unknown>>>) {
  const rows: unknown[] = [];
  for await (const page of it) rows.push(...page.map((r) => r.id));
  return rows;
}

describe('pages', () => {
  it('continues lists after the last id, from a given cursor, until has_more is false', async () => {
    const gw = scripted([
      { data: [{ id: 'a' }, { id: 'b' }], has_more: true },
      { data: [{ id: 'c' }], has_more: false },
    ]);
    expect(await all(pages(gw, { path: '/v1/customers', params: { limit: 2 }, cursor: 'z' }))).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(gw.seen.map((r) => r.params)).toEqual([
      { limit: 2, starting_after: 'z' },
      { limit: 2, starting_after: 'b' },
    ]);
  });

  it('follows next_page for searches and stops on an empty page that claims more', async () => {
    const gw = scripted([
      { data: [{ id: 'a' }], has_more: true, next_page: 'tok2' },
      { data: [], has_more: true, next_page: 'tok3' },
    ]);
    expect(
      await all(pages(gw, { path: '/v1/customers/search', params: { query: 'q' }, mode: 'search' })),
    ).toEqual(['a']);
    expect(gw.seen.map((r) => r.params)).toEqual([{ query: 'q' }, { query: 'q', page: 'tok2' }]);
  });
});
