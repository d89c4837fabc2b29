/** The store's sealer: AES-256-GCM under a key from the environment or a 0600 file beside the store. */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEAL_KEY_ENV, storeSealer } from '../../src/store/sealer.ts';

const SECRET = 'whsec_c2VjcmV0IG9mIGFuIGVuZHBvaW50';

describe('the store sealer', () => {
  it('seals with a fresh nonce each time and opens what it sealed; an unsealed value passes as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealer-'));
    const sealer = storeSealer({}, dir)!;
    const a = sealer.seal(SECRET);
    expect(a).toMatch(/^sealed:v1:/);
    expect(a).not.toContain('whsec_');
    expect(sealer.seal(SECRET)).not.toBe(a);
    expect(sealer.open(a)).toBe(SECRET);
    expect(sealer.open(SECRET)).toBe(SECRET);
    expect(statSync(join(dir, 'seal.key')).mode & 0o777).toBe(0o600);
    // A second open of the folder keeps the key.
    expect(storeSealer({}, dir)!.open(a)).toBe(SECRET);
  });

  it('takes the key from the environment first; another key does not open it, and says why', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const sealed = storeSealer({ [SEAL_KEY_ENV]: key })!.seal(SECRET);
    const other = storeSealer({ [SEAL_KEY_ENV]: Buffer.alloc(32, 8).toString('base64') })!;
    expect(() => other.open(sealed)).toThrow(/does not open with this key/);
    expect(storeSealer({})).toBeUndefined();
    expect(() => storeSealer({ [SEAL_KEY_ENV]: 'short' })).toThrow(/32 bytes in base64/);
  });

  it('refuses a key file that is not 32 bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealer-'));
    writeFileSync(join(dir, 'seal.key'), 'nope\n');
    expect(() => storeSealer({}, dir)).toThrow(/seal\.key must be 32 bytes/);
  });
});
