/** The server commands' shared flags: --public-url must be an http(s) URL, named when it is not. */
import { describe, expect, it } from 'vitest';
import { parsePublicUrl } from '../../src/cli/server-options.ts';
import { ConnectorError } from '../../src/errors.ts';

describe('--public-url', () => {
  it('takes an http(s) URL (without its trailing slash), or nothing', () => {
    expect(parsePublicUrl('https://connector.example.com/')).toBe('https://connector.example.com');
    expect(parsePublicUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(parsePublicUrl(undefined)).toBeUndefined();
  });

  it('refuses anything else with INVALID_ARGUMENT naming the flag', () => {
    for (const bad of ['connector.example.com', 'ftp://x.example', '']) {
      const error = (() => {
        try {
          parsePublicUrl(bad);
        } catch (e) {
          return e;
        }
      })() as ConnectorError;
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.details.field).toBe('--public-url');
      expect(error.message).toContain(`got "${bad}"`);
    }
  });
});
