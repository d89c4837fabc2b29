/**
 * What any implementation of the server's ports must do (src/server/ports.ts). The in-memory ports
 * and the store's mapping (store-ports.ts, on SQLite) both run it.
 */
import { describe, expect, it } from 'vitest';
import type { ServerPorts } from '../../src/server/index.ts';

export function portsContract(name: string, make: () => Promise<ServerPorts>): void {
  describe(`server ports contract: ${name}`, () => {
    it('tokens: made once with the prefix, found by their text only while live, listed, revoked once', async () => {
      const { tokens } = await make();
      const a = await tokens.create({ name: 'a', scopes: ['read'], connections: ['demo'] });
      const b = await tokens.create({ name: 'b', scopes: ['admin'], connections: null });
      expect(a.token).toMatch(/^sct_[A-Za-z0-9_-]{43}$/);
      expect(a.record.id).not.toBe(b.record.id);
      expect(a.record).toMatchObject({ name: 'a', scopes: ['read'], connections: ['demo'], revokedAt: null });
      const found = await tokens.verify(b.token);
      expect(found).toMatchObject({ id: b.record.id, connections: null });
      expect(found!.lastUsedAt).toEqual(expect.any(Number));
      expect(await tokens.verify(b.token.slice(0, -1) + (b.token.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
      expect(await tokens.revoke(a.record.id)).toBe(true);
      expect(await tokens.revoke(a.record.id)).toBe(false);
      expect(await tokens.revoke('tok_unknown')).toBe(false);
      expect(await tokens.verify(a.token)).toBeUndefined();
      const listed = await tokens.list();
      // Two tokens made in the same millisecond have no order between them: compare as sets.
      expect(listed.map((t) => t.id).sort()).toEqual([a.record.id, b.record.id].sort());
      expect(JSON.stringify(listed)).not.toContain(a.token);
    });

    it('connections: put creates then replaces (createdAt kept), list is by name, delete says if it did', async () => {
      const { connections } = await make();
      const record = {
        definition: { name: 'zeta', apiKey: 'env:K' },
        origin: 'api' as const,
        baseDir: '/srv',
      };
      expect(await connections.put({ name: 'zeta', ...record })).toEqual({ created: true });
      await connections.put({ name: 'alpha', ...record, definition: { name: 'alpha', apiKey: 'env:K' } });
      const first = (await connections.get('zeta'))!;
      await new Promise((r) => setTimeout(r, 5));
      const again = { ...record, definition: { name: 'zeta', apiKey: 'env:OTHER' } };
      expect(await connections.put({ name: 'zeta', ...again })).toEqual({ created: false });
      const second = (await connections.get('zeta'))!;
      expect(second.createdAt).toBe(first.createdAt);
      expect(second.updatedAt).toBeGreaterThan(first.updatedAt);
      expect(second).toMatchObject({ origin: 'api', baseDir: '/srv', definition: { apiKey: 'env:OTHER' } });
      expect((await connections.list()).map((c) => c.name)).toEqual(['alpha', 'zeta']);
      expect(await connections.delete('zeta')).toBe(true);
      expect(await connections.delete('zeta')).toBe(false);
      expect(await connections.get('zeta')).toBeUndefined();
    });

    it('records handed out are copies: changing one changes nothing stored', async () => {
      const { tokens, connections } = await make();
      const { token, record } = await tokens.create({ name: '', scopes: ['read'] });
      record.scopes.push('admin');
      expect((await tokens.verify(token))!.scopes).toEqual(['read']);
      await connections.put({
        name: 'c1',
        definition: { name: 'c1', apiKey: 'env:K' },
        origin: 'api',
        baseDir: '/',
      });
      const got = (await connections.get('c1'))!;
      got.definition.apiKey = 'changed';
      expect((await connections.get('c1'))!.definition.apiKey).toBe('env:K');
    });

    it('answers readiness', async () => {
      const ports = await make();
      expect(await ports.ready()).toEqual({ ok: true, detail: expect.any(String) });
      await ports.close?.();
    });
  });
}
