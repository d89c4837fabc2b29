import { describe, expect, it } from 'vitest';
import { createRedactor, redact, REDACTED } from '../../src/connection/redact.ts';

describe('redact', () => {
  it('removes Stripe keys, webhook secrets, client secrets and auth headers by pattern', () => {
    const text = [
      'key sk_test_51AbCdEf and rk_live_XyZ123',
      'whsec_abcDEF123+/=',
      '{"client_secret":"pi_3Abc_secret_XyZ","id":"pi_3Abc"}',
      'client_secret=seti_1_secret_2&x=1',
      'Authorization: Bearer sk_test_x',
      '"Proxy-Authorization":"Digest username=\\"u\\", response=\\"abc\\""',
      'http://user:pa55w0rd@proxy:3128',
    ].join('\n');
    const out = redact(text);
    for (const secret of [
      'sk_test_51AbCdEf',
      'rk_live_XyZ123',
      'whsec_abcDEF123',
      'pi_3Abc_secret_XyZ',
      'seti_1_secret_2',
      'pa55w0rd',
      'response=',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('"id":"pi_3Abc"');
    expect(out).toContain(REDACTED);
  });

  it('removes Luhn-valid card numbers but keeps other digit runs', () => {
    expect(redact('card 4242 4242 4242 4242 ok')).toBe(`card ${REDACTED} ok`);
    expect(redact('number=4000-0000-0000-0002')).toBe(`number=${REDACTED}`);
    expect(redact('ts 1700000000 amount 1500 id 1234567890123')).toBe(
      'ts 1700000000 amount 1500 id 1234567890123',
    );
  });

  it('removes registered values of any shape, also URL-encoded', () => {
    const r = createRedactor(['hunter2!pass']);
    expect(r('password=hunter2!pass and hunter2%21pass')).toBe(`password=${REDACTED} and ${REDACTED}`);
    r.add('another-secret');
    expect(r('x another-secret y')).toBe(`x ${REDACTED} y`);
  });

  it('removes the value of a credential query parameter in a URL, whatever it looks like', () => {
    expect(redact('GET /api/x?limit=1&token=anything-at-all&cursor=c1')).toBe(
      `GET /api/x?limit=1&token=${REDACTED}&cursor=c1`,
    );
    for (const name of ['token', 'Access_Token', 'api_key', 'apikey', 'key', 'secret', 'password'])
      expect(redact(`https://h/p?${name}=v4lue`)).toBe(`https://h/p?${name}=${REDACTED}`);
    // Only a parameter of that name: others, and the same word elsewhere, stay.
    expect(redact('/p?idempotency_key=abc&tokens=2 and token=x')).toBe(
      '/p?idempotency_key=abc&tokens=2 and token=x',
    );
  });

  it('reads needlessly escaped characters as themselves, so an encoding hides no secret', () => {
    expect(redact('/p?x=sk%5Ftest%5F51AbCdEf')).toBe(`/p?x=${REDACTED}`);
    expect(redact('%73%6B%5F%6C%69%76%65%5F%58%79%5A')).toBe(REDACTED);
    expect(createRedactor(['my_secret_value'])('v=my%5Fsecret%5Fvalue')).toBe(`v=${REDACTED}`);
    // Escapes of reserved characters keep their meaning: they stay escaped.
    expect(redact('/p?q=a%20b%26c%3Dd')).toBe('/p?q=a%20b%26c%3Dd');
  });
});
