import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPayload } from '../../src/cli/input.ts';
import { ConnectorError } from '../../src/errors.ts';

const refusal = (text: string) => {
  try {
    readPayload(text);
  } catch (error) {
    return error as ConnectorError;
  }
  throw new Error(`readPayload(${JSON.stringify(text)}) was accepted`);
};

describe('readPayload', () => {
  it('refuses an empty or blank payload, naming --payload; {} is the explicit empty object', () => {
    for (const text of ['', '   ', '\n\t']) {
      const error = refusal(text);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(/^--payload is empty/);
      expect(error.details.field).toBe('--payload');
    }
    expect(readPayload('{}')).toEqual({});
    expect(readPayload(undefined)).toEqual({});
  });

  it('refuses an empty @file, naming the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'payload-')), 'empty.json');
    writeFileSync(file, '  \n');
    const error = refusal(`@${file}`);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(`--payload is empty (${file} is empty)`);
  });
});
