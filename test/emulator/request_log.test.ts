import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../src/emulator/request_log.ts';
import type { RecordedRequest } from '../../src/emulator/types.ts';

const req = (n: number) => ({ method: 'GET', path: `/${n}` }) as RecordedRequest;

describe('RequestLog', () => {
  it('keeps the most recent N, oldest first, across many wrap-arounds', () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 10; i++) log.push(req(i));
    expect(log.toArray().map((r) => r.path)).toEqual(['/7', '/8', '/9']);
    expect(log.size).toBe(3);
    log.clear();
    expect(log.toArray()).toEqual([]);
    log.push(req(11));
    expect(log.toArray().map((r) => r.path)).toEqual(['/11']);
  });

  it('records nothing at size 0 and refuses a bad size', () => {
    const log = new RequestLog(0);
    log.push(req(1));
    expect(log.size).toBe(0);
    expect(() => new RequestLog(-1)).toThrow(/integer ≥ 0/);
  });
});
