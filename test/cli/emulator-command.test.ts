/** `stripe-connector emulator`: bad flags exit 2 naming the flag; a busy port says which and what to do. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { runCli } from './run.ts';

let busy: Emulator;
beforeAll(async () => {
  busy = await startEmulator({ port: 0 });
});
afterAll(() => busy.close());

describe('emulator command flags', () => {
  it.each([
    [['--seed', 'bogus'], '--seed'],
    [['--latency', 'abc'], '--latency'],
    [['--faults', 'bogus'], '--faults'],
    [['--rate-limit', '25'], '--rate-limit'],
    [['--port', 'http'], '--port'],
    [['--request-log', '-1'], '--request-log'],
  ])('%j exits 2 naming %s', async (args, flag) => {
    const r = await runCli(['emulator', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error INVALID_ARGUMENT: ${flag}: `));
    expect(r.stderr).not.toMatch(/INTERNAL|\n\s+at /);
  });

  it('a port in use names the port and suggests --port (exit 2, never INTERNAL)', async () => {
    const r = await runCli(['emulator', '--port', String(busy.port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${busy.port} on 127.0.0.1 is already in use`);
    expect(r.stderr).toMatch(/--port/);
    expect(r.stderr).not.toContain('INTERNAL');
  });
});
