/**
 * HTTP Digest access authentication (RFC 7616, and RFC 2069 when the server offers no qop), client
 * side, for proxies: parse a `Proxy-Authenticate: Digest ...` challenge and answer it. No maintained
 * npm package does digest for proxy agents, so this is the handshake itself; the agents in proxy.ts
 * call it for CONNECT (tunnel) and for forwarded requests.
 *
 * After the first challenge, later requests send credentials pre-emptively with an increasing nonce
 * count, so a proxy that keeps its nonce costs one 407 per connection, not one per request.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm: string;
  stale?: boolean;
}

/** Splits `Digest realm="a, b", nonce="x", qop="auth,auth-int"` into its parameters. */
export function parseDigestChallenge(header: string | string[] | undefined): DigestChallenge | undefined {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const value of values) {
    const m = /^\s*Digest\s+(.*)$/is.exec(value);
    if (!m) continue;
    const params: Record<string, string> = {};
    const re = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/gi;
    let p: RegExpExecArray | null;
    while ((p = re.exec(m[1]))) {
      params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
    }
    if (!params.nonce || params.realm === undefined) continue;
    return {
      realm: params.realm,
      nonce: params.nonce,
      ...(params.qop ? { qop: params.qop } : {}),
      ...(params.opaque !== undefined ? { opaque: params.opaque } : {}),
      algorithm: params.algorithm ?? 'MD5',
      ...(params.stale ? { stale: params.stale.toLowerCase() === 'true' } : {}),
    };
  }
  return undefined;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

function hashFor(algorithm: string): (s: string) => string {
  const base = algorithm.replace(/-sess$/i, '').toUpperCase();
  const name = HASHES[base];
  if (!name) throw new Error(`unsupported digest algorithm ${algorithm}`);
  return (s) => createHash(name).update(s, 'utf8').digest('hex');
}

export interface DigestResponseInput {
  challenge: DigestChallenge;
  user: string;
  password: string;
  method: string;
  uri: string;
  nc: number;
  cnonce: string;
}

/** The Authorization / Proxy-Authorization header value for one request. */
export function digestAuthorization(input: DigestResponseInput): string {
  const { challenge, user, password, method, uri, cnonce } = input;
  const H = hashFor(challenge.algorithm);
  const sess = /-sess$/i.test(challenge.algorithm);
  // Only qop=auth: auth-int would need the body, which a CONNECT has not and we don't buffer.
  const qops = challenge.qop?.split(',').map((q) => q.trim().toLowerCase());
  const qop = qops?.includes('auth') ? 'auth' : undefined;
  if (challenge.qop && !qop) throw new Error(`unsupported digest qop ${challenge.qop}`);
  const nc = input.nc.toString(16).padStart(8, '0');
  let ha1 = H(`${user}:${challenge.realm}:${password}`);
  if (sess) ha1 = H(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = H(`${method}:${uri}`);
  const response = qop
    ? H(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : H(`${ha1}:${challenge.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [
    `username=${q(user)}`,
    `realm=${q(challenge.realm)}`,
    `nonce=${q(challenge.nonce)}`,
    `uri=${q(uri)}`,
    `algorithm=${challenge.algorithm}`,
    `response=${q(response)}`,
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}

/** One proxy's digest state, shared by all requests of a connection. */
export class DigestAuth {
  private challenge?: DigestChallenge;
  private nc = 0;
  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly makeCnonce: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  /** Takes a new challenge from a 407; false when it holds none we can answer. */
  accept(header: string | string[] | undefined): boolean {
    const challenge = parseDigestChallenge(header);
    if (!challenge) return false;
    try {
      hashFor(challenge.algorithm);
    } catch {
      return false;
    }
    this.challenge = challenge;
    this.nc = 0;
    return true;
  }

  get hasChallenge(): boolean {
    return this.challenge !== undefined;
  }

  /** A header for `method uri`, or undefined before the proxy has sent a challenge. */
  authorize(method: string, uri: string): string | undefined {
    if (!this.challenge) return undefined;
    this.nc += 1;
    return digestAuthorization({
      challenge: this.challenge,
      user: this.user,
      password: this.password,
      method,
      uri,
      nc: this.nc,
      cnonce: this.makeCnonce(),
    });
  }
}
