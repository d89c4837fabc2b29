import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { execSink } from '../../../src/triggers/sinks/exec.ts';
import { fileSink, streamSink } from '../../../src/triggers/sinks/ndjson.ts';
import type { SinkMessage } from '../../../src/triggers/sinks/types.ts';

const msg = (n: number): SinkMessage => ({
  id: `dlv_${n}`,
  trigger: 't',
  type: 'customer.created',
  event_id: `evt_${n}`,
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { id: `cus_${n}`, note: 'x'.repeat(n * 100) },
});

describe('NDJSON sinks', () => {
  it('appends one line per delivery to a file, never interleaved, each on disk before the ack', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sink-')), 'out.ndjson');
    const sink = fileSink(path);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => sink.send(msg(i))));
    expect(outcomes.every((o) => o.kind === 'ack')).toBe(true);
    await sink.send(msg(20));
    await sink.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(Array.from({ length: 21 }, (_, i) => `dlv_${i}`));
  });

  it('retries when the file cannot be written', async () => {
    const outcome = await fileSink('/nonexistent-dir/x/out.ndjson').send(msg(1));
    expect(outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('ENOENT') });
  });

  it('writes lines to a stream (stdout)', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => (text += c));
    await streamSink(out).send(msg(1));
    expect(JSON.parse(text.trim())).toEqual(msg(1));
  });
});

describe('exec sink', () => {
  const node = (script: string) => `${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`;

  it('gives the command the delivery JSON on stdin; exit 0 is the ack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exec-'));
    const out = join(dir, 'got.json');
    const script = `let s='';process.stdin.on('data',c=>s+=c).on('end',()=>require('fs').writeFileSync(${JSON.stringify(out)},s))`;
    expect(await execSink(node(script)).send(msg(2))).toEqual({ kind: 'ack' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(msg(2));
  });

  it('retries on a non-zero exit, with the last line of stderr', async () => {
    const outcome = await execSink(node("console.error('busy, later');process.exit(3)")).send(msg(1));
    expect(outcome).toEqual({ kind: 'retry', error: 'exec: exit 3: busy, later' });
  });

  it('kills a command that runs past the timeout and retries', async () => {
    const outcome = await execSink(node('setTimeout(()=>{},10000)'), { timeoutMs: 200 }).send(msg(1));
    expect(outcome).toMatchObject({ kind: 'retry', error: expect.stringContaining('killed') });
  });

  it('acks a command that ignores its stdin', async () => {
    expect(await execSink(node('process.exit(0)')).send(msg(50))).toEqual({ kind: 'ack' });
  });
});
