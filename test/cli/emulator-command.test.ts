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
    [['--key', 'sk_test_a:acct_1'], '--key'],
    [['--accounts', '/nonexistent/accounts.json'], '--accounts'],
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

describe('emulator trigger', () => {
  it('emits the event on a running emulator and prints it', async () => {
    const r = await runCli([
      'emulator',
      'trigger',
      'order.created',
      '--base',
      busy.url,
      '--json',
      '--object',
      '{"amount_total": 900}',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const event = JSON.parse(r.stdout);
    expect(event).toMatchObject({
      object: 'event',
      type: 'order.created',
      data: { object: { object: 'order', amount_total: 900 } },
    });
    const events = await fetch(`${busy.url}/v1/events?type=order.created`, {
      headers: { authorization: 'Bearer sk_test_cli' },
    });
    expect((await events.json()).data.map((e: { id: string }) => e.id)).toContain(event.id);
  });

  it('an unknown type exits 2; no emulator at --base is CONNECTION_FAILED naming it', async () => {
    const bad = await runCli(['emulator', 'trigger', 'order.teleported', '--base', busy.url]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      expect.stringMatching(/^error INVALID_ARGUMENT: .*Unknown event type: 'order.teleported'/),
    ]);
    const none = await runCli(['emulator', 'trigger', 'order.created', '--base', 'http://127.0.0.1:9']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error CONNECTION_FAILED: no emulator answers at http:\/\/127\.0\.0\.1:9/);
  });
});
