import { describe, expect, it } from 'vitest';
import { listenError, runUntilSignal, type Service } from '../src/lifecycle.ts';
import { ConnectorError } from '../src/errors.ts';

function recorder() {
  const events: string[] = [];
  const service = (name: string, opts: { stopMs?: number; failStart?: boolean } = {}): Service => ({
    name,
    async start() {
      if (opts.failStart) throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
    },
    async stop() {
      await new Promise((r) => setTimeout(r, opts.stopMs ?? 0));
      events.push(`stop ${name}`);
    },
  });
  return { events, service };
}

describe('runUntilSignal', () => {
  it('starts in order, runs until the signal, stops in reverse order', async () => {
    const { events, service } = recorder();
    const abort = new AbortController();
    const run = runUntilSignal([service('store'), service('server')], {
      signal: abort.signal,
      onStarted: () => events.push('started'),
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['start store', 'start server', 'started']);
    abort.abort();
    await run;
    expect(events.slice(3)).toEqual(['stop server', 'stop store']);
  });

  it('on SIGTERM too, and a service slower than the drain bound is left behind (logged)', async () => {
    const { events, service } = recorder();
    const logs: string[] = [];
    const run = runUntilSignal([service('store'), service('slow', { stopMs: 5000 })], {
      drainTimeoutMs: 50,
      log: (l) => logs.push(l),
      onStarted: () => process.emit('SIGTERM'),
    });
    await run;
    expect(events).toEqual(['start store', 'start slow', 'stop store']);
    expect(logs).toEqual(['slow: still draining after 50 ms; left behind']);
  });

  it('a service that fails to start stops those started and rethrows', async () => {
    const { events, service } = recorder();
    await expect(runUntilSignal([service('store'), service('server', { failStart: true })])).rejects.toThrow(
      'server cannot start',
    );
    expect(events).toEqual(['start store', 'stop store']);
  });

  it('listenError: a busy port names the port and the flag', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const error = listenError(busy, { port: 12111, host: '127.0.0.1' }) as ConnectorError;
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('port 12111 on 127.0.0.1 is already in use');
    expect(error.message).toContain('pass --port <port> to pick another');
  });
});
