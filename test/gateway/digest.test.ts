import { describe, expect, it } from 'vitest';
import { DigestAuth, digestAuthorization, parseDigestChallenge } from '../../src/gateway/digest.ts';

describe('digest auth', () => {
  it('parses a challenge with quoted commas, opaque and stale', () => {
    const c = parseDigestChallenge([
      'Basic realm="x"',
      'Digest realm="testrealm@host.com, eu", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41", stale=TRUE',
    ]);
    expect(c).toEqual({
      realm: 'testrealm@host.com, eu',
      qop: 'auth,auth-int',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
      algorithm: 'MD5',
      stale: true,
    });
    expect(parseDigestChallenge('Basic realm="x"')).toBeUndefined();
  });

  it('matches the RFC 2617 example (MD5, qop=auth)', () => {
    const header = digestAuthorization({
      challenge: parseDigestChallenge(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      )!,
      user: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: '0a4f113b',
    });
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('nc=00000001');
    expect(header).toContain('qop=auth');
    expect(header).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it('matches the RFC 7616 SHA-256 example', () => {
    const header = digestAuthorization({
      challenge: parseDigestChallenge(
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
      )!,
      user: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    expect(header).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
  });

  it('answers without qop (RFC 2069) and counts nonce uses', () => {
    const auth = new DigestAuth('u', 'p', () => 'c');
    expect(auth.authorize('CONNECT', 'h:443')).toBeUndefined();
    expect(auth.accept('Digest realm="r", nonce="n"')).toBe(true);
    const first = auth.authorize('CONNECT', 'h:443')!;
    expect(first).not.toContain('qop=');
    expect(auth.accept('Digest realm="r", nonce="n2", qop="auth"')).toBe(true);
    auth.authorize('CONNECT', 'h:443');
    expect(auth.authorize('CONNECT', 'h:443')).toContain('nc=00000002');
    expect(auth.accept('Digest realm="r", nonce="n", algorithm=SHA-999')).toBe(false);
  });
});
