/**
 * What any implementation of the server's ports must do (src/server/ports.ts). The in-memory ports
 * run it here; the store's SQLite/PostgreSQL mapping runs the same function against itself.
 */
import { describe, expect, it } from 'vitest';
import type { ServerPorts } from '../../src/server/index.ts';

export function portsContract(name: string, make: () => Promise<ServerPorts>): void {
  describe(`server ports contract: ${name}`, () => {
    it('tokens: create gives an id; findByHash finds it; list, touch and revoke keep the record', async () => {
      const { tokens } = await make();
      const a = await tokens.create({
        hash: 'a'.repeat(64),
        scopes: ['read'],
        connections: ['demo'],
        label: 'a',
      });
      const b = await tokens.create({
        hash: 'b'.repeat(64),
        scopes: ['admin'],
        connections: null,
        label: 'b',
      });
      expect(a.id).not.toBe(b.id);
      expect(a).toMatchObject({
        scopes: ['read'],
        connections: ['demo'],
        label: 'a',
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(await tokens.findByHash('b'.repeat(64))).toMatchObject({ id: b.id, connections: null });
      expect(await tokens.findByHash('c'.repeat(64))).toBeUndefined();
      const at = new Date('2026-01-02T03:04:05.000Z');
      await tokens.touch(a.id, at);
      expect((await tokens.findByHash(a.hash))!.lastUsedAt).toBe(at.toISOString());
      expect(await tokens.revoke(a.id)).toBe(true);
      const revoked = (await tokens.findByHash(a.hash))!.revokedAt;
      expect(revoked).toEqual(expect.any(String));
      expect(await tokens.revoke(a.id)).toBe(true);
      expect((await tokens.findByHash(a.hash))!.revokedAt).toBe(revoked);
      expect(await tokens.revoke('tok_unknown')).toBe(false);
      expect((await tokens.list()).map((t) => t.id)).toEqual([a.id, b.id]);
    });

    it('records handed out are copies: changing one changes nothing stored', async () => {
      const { tokens, connections } = await make();
      const a = await tokens.create({ hash: 'd'.repeat(64), scopes: ['read'], connections: null, label: '' });
      a.scopes.push('admin');
      expect((await tokens.findByHash(a.hash))!.scopes).toEqual(['read']);
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
      expect(
        await connections.put({ name: 'zeta', ...record, definition: { name: 'zeta', apiKey: 'env:OTHER' } }),
      ).toEqual({
        created: false,
      });
      const second = (await connections.get('zeta'))!;
      expect(second.createdAt).toBe(first.createdAt);
      expect(second.updatedAt).not.toBe(first.updatedAt);
      expect(second).toMatchObject({ origin: 'api', baseDir: '/srv', definition: { apiKey: 'env:OTHER' } });
      expect((await connections.list()).map((c) => c.name)).toEqual(['alpha', 'zeta']);
      expect(await connections.delete('zeta')).toBe(true);
      expect(await connections.delete('zeta')).toBe(false);
      expect(await connections.get('zeta')).toBeUndefined();
    });

    it('answers readiness', async () => {
      const ports = await make();
      expect(await ports.ready()).toEqual({ ok: expect.any(Boolean), detail: expect.any(String) });
      await ports.close?.();
    });
  });
}
