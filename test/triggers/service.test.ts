/** The trigger service on a SQLite store: what `trigger add` checks before it stores a definition. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../src/errors.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { TriggerService } from '../../src/triggers/service.ts';

const dir = mkdtempSync(join(tmpdir(), 'trigger-service-'));
let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: dir });
});
afterAll(() => store?.close());

const hook = (name: string, sinkSecret: string) => ({
  name,
  source: 'events' as const,
  events: ['customer.created'],
  sink: 'https://example.com/hook',
  sinkSecret,
});

describe('trigger add: the http sink signing key', () => {
  it('refuses a key that is not whsec_ then base64, naming the key and its reference, never the value', async () => {
    const file = join(dir, 'bad.secret');
    writeFileSync(file, 'whsec_not*base64!\n');
    const error = await new TriggerService(store).add(hook('bad-key', `file:${file}`)).then(
      () => undefined,
      (e: unknown) => e as ConnectorError,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({
      code: 'INVALID_VALUE',
      message: `bad-key.sinkSecret: file:${file} does not hold a signing key, whsec_ then base64 (Base64Coder: incorrect characters for decoding)`,
      details: { key: 'bad-key.sinkSecret', reference: `file:${file}` },
    });
    expect(error?.message).not.toContain('not*base64');
    expect(await store.triggers.get('bad-key')).toBeUndefined();
  });

  it('takes a good key, and one only the runner can read (set where it runs; it checks it then)', async () => {
    const service = new TriggerService(store, undefined, {
      GOOD: `whsec_${Buffer.from('k'.repeat(24)).toString('base64')}`,
    });
    await service.add(hook('good-key', 'env:GOOD'));
    await service.add(hook('runner-key', 'env:ONLY_WHERE_IT_RUNS'));
    expect((await service.list()).map((t) => t.name).sort()).toEqual(['good-key', 'runner-key']);
  });
});
