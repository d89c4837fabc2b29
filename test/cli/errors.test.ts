import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/main.ts';
import { runCli } from '../e2e/run.ts';

afterEach(() => vi.restoreAllMocks());

describe('CLI errors', () => {
  it('redacts secrets from errors that did not come through the gateway', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const code = reportError(new Error('bad request with key sk_test_4eC39HqLyjWDarjtT1zdp7dc'));
    expect(code).toBe(1);
    expect(written.join('')).toContain('error INTERNAL: bad request with key [REDACTED]');
    expect(written.join('')).not.toContain('sk_test_4eC39');
  });

  it('explain --limit takes a non-negative integer: exit 2 naming the option and the value', async () => {
    const { code, stderr } = await runCli([
      'explain',
      "email = 'a@b.c'",
      '--entity',
      'Customer',
      '--limit',
      'ten',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('error INVALID_ARGUMENT: --limit must be a non-negative integer, got "ten"');
  });
});
