/** illFormedPath (src/server/well-formed.ts): the first lone surrogate's path, in values and keys. */
import { describe, expect, it } from 'vitest';
import { illFormedPath } from '../../src/server/well-formed.ts';

describe('illFormedPath', () => {
  it.each<[string, unknown, Array<string | number> | undefined]>([
    ['plain text', { name: 'Jane', n: 1, ok: true, none: null }, undefined],
    ['a pair (an emoji)', { name: '\ud83d\ude00' }, undefined],
    ['a lone high surrogate', { name: '\ud800' }, ['name']],
    ['a lone low surrogate mid-text', { metadata: { x: 'a\udc00b' } }, ['metadata', 'x']],
    ['a pair in the wrong order', { s: '\ude00\ud83d' }, ['s']],
    ['inside an array', { items: [{ price: 'p' }, { price: '\ud83d' }] }, ['items', 1, 'price']],
    ['a key', { metadata: { '\ud800': 'x' } }, ['metadata', '\ud800']],
    ['the first in document order', { a: ['ok', '\ud800'], b: '\ud800' }, ['a', 1]],
    ['the whole body', '\ud800', []],
    ['raw bytes (the webhook body) are not text', Buffer.from([0xed, 0xa0, 0x80]), undefined],
  ])('%s', (_, value, path) => {
    expect(illFormedPath(value)).toEqual(path);
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    let deep: unknown = '\ud800';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(illFormedPath(deep)).toHaveLength(100_000);
  });
});
