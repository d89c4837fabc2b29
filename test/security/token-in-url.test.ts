/**
 * Attack surface: a client (or a proxy, a browser's EventSource) that puts its API token in the
 * URL (`?token=sct_…`) instead of the Authorization header. The server takes tokens from the
 * header only, but it logs every request's URL: the token must not reach the log, in any of the
 * spellings a client may send it (plain, with `_` percent-encoded, under another credential name,
 * or a value that does not look like a token at all).
 */
import { describe, expect, it } from 'vitest';
import { useServer } from '../server/support.ts';

const env = useServer();

/** The distinctive part of a token: what must not be in any log line, however it was encoded. */
const body = (token: string) => token.slice('sct_'.length);

async function logsOf(url: string, headers: Record<string, string> = {}): Promise<string> {
  env.logs.length = 0;
  await env.server.app.inject({ url, headers });
  const text = env.logs.join('\n');
  expect(text).toMatch(/incoming request/); // the request was logged at all
  return text;
}

describe('a token in the URL is not logged', () => {
  it('?token=sct_… (refused: the server reads tokens from the header only)', async () => {
    const token = env.tokens.read;
    const res = await env.server.app.inject({ url: `/api/connections?token=${token}` });
    expect(res.statusCode).toBe(401);
    for (const path of ['/api/connections', '/no/such/route', '/api/connections/demo/entities/Customer']) {
      const text = await logsOf(`${path}?limit=1&token=${token}`);
      expect(text).not.toContain(body(token));
      expect(text).toContain('token=[REDACTED]');
    }
  });

  it('with the header as well (authenticated, then answered), no token is logged either', async () => {
    const token = env.tokens.admin;
    for (const path of ['/metrics', '/api/connections/demo/entities/Customer']) {
      const text = await logsOf(`${path}?token=${token}`, env.auth(token));
      expect(text).toMatch(/"statusCode":(200|400)/);
      expect(text).not.toContain(body(token));
    }
  });

  it('percent-encoded (sct%5F…, every character escaped) and under other credential names', async () => {
    const token = env.tokens.admin;
    const everyChar = [...token].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
    for (const query of [
      `token=${token.replace('_', '%5F')}`,
      `token=${everyChar}`,
      `access_token=${token.replace(/_/g, '%5f')}`,
      `other=${token.replace('_', '%5F')}`,
    ]) {
      const text = await logsOf(`/api/connections?${query}`);
      expect(text).not.toContain(body(token));
      expect(text).not.toContain(everyChar.slice(12, 40));
    }
  });

  it('the token parameter is redacted whatever its value looks like', async () => {
    for (const [name, value] of [
      ['token', 'my-legacy-token-1234'],
      ['access_token', 'opaque.value.9876'],
      ['api_key', 'k-5555-6666'],
      ['Token', 'MixedCase-4242'],
    ]) {
      const text = await logsOf(`/api/connections?${name}=${value}&limit=1`);
      expect(text).not.toContain(value);
      expect(text).toContain(`${name}=[REDACTED]`);
      expect(text).toContain('limit=1'); // the rest of the URL stays readable
    }
  });
});
