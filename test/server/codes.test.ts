/** The server's failures come from the one error table (src/errors.ts); no layer keeps its own. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('one error table', () => {
  it('holds the codes only a server answers with, with their HTTP status', () => {
    expect(ERROR_CODES).toMatchObject({
      UNAUTHENTICATED: { status: 401 },
      FORBIDDEN: { status: 403 },
      NOT_FOUND: { status: 404 },
      UNKNOWN_CONNECTION: { status: 404 },
      CONNECTION_EXISTS: { status: 409 },
      PAYLOAD_TOO_LARGE: { status: 413 },
      UNSUPPORTED_MEDIA_TYPE: { status: 415 },
      RATE_LIMITED: { status: 429 },
      NOT_READY: { status: 503 },
    });
  });

  it('is the only table: no other file under src/ declares one', () => {
    const tables = sources('src').filter(
      (f) =>
        f !== join('src', 'errors.ts') && /satisfies Record<string, ErrorSpec>/.test(readFileSync(f, 'utf8')),
    );
    expect(tables).toEqual([]);
  });

  it('every code the server throws is in it', () => {
    const thrown = sources('src/server').flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/new ConnectorError\(\s*'([A-Z_]+)'/g)].map((m) => m[1]),
    );
    expect(thrown.length).toBeGreaterThan(5);
    expect(thrown.filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });
});
