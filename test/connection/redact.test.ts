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
});
