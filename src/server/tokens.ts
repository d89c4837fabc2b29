/**
 * API tokens: `sct_` + 32 random bytes in base64url, made by the token repository, which keeps only
 * their SHA-256 (high-entropy tokens need no slow password hash). Here: issuing, the first admin
 * token, scope and connection checks, and reading the Authorization header.
 */
import { TOKEN_PREFIX } from '../store/repos/tokens.ts';
import type { Scope, TokenRecord, TokenRepo } from './ports.ts';

export { TOKEN_PREFIX };
/** What a token looks like (also what the log redaction removes). */
export const TOKEN_PATTERN = /\bsct_[A-Za-z0-9_-]{20,}/g;

export interface IssuedToken {
  /** The token text: shown once, to whoever created it. */
  token: string;
  record: TokenRecord;
}

export async function issueToken(
  repo: TokenRepo,
  input: { scopes: Scope[]; connections?: string[] | null; label?: string },
): Promise<IssuedToken> {
  return repo.create({
    name: input.label ?? '',
    scopes: [...new Set(input.scopes)],
    connections: input.connections?.length ? [...new Set(input.connections)] : null,
  });
}

/**
 * The first start's admin token: issued only when no usable (unrevoked) admin token exists, so a
 * restart does not mint another. The caller prints it once.
 */
export async function ensureAdminToken(repo: TokenRepo, label = 'first admin'): Promise<IssuedToken | null> {
  const tokens = await repo.list();
  if (tokens.some((t) => !t.revokedAt && t.scopes.includes('admin'))) return null;
  return issueToken(repo, { scopes: ['admin'], label });
}

/** admin ⊇ write ⊇ read. */
const RANK: Record<Scope, number> = { read: 0, write: 1, admin: 2 };

export function hasScope(record: TokenRecord, needed: Scope): boolean {
  return record.scopes.some((s) => RANK[s] >= RANK[needed]);
}

export function mayUseConnection(record: TokenRecord, name: string): boolean {
  return record.connections === null || record.connections.includes(name);
}

/** The token text from `Authorization: Bearer sct_…`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
