import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('after a crash, cuts a torn last line and does not write again what the file already ends with', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sink-')), 'out.ndjson');
    // A run killed after writing 1 and 2 (acknowledged or not) and halfway through 3.
    writeFileSync(path, `${JSON.stringify(msg(1))}\n${JSON.stringify(msg(2))}\n{"id":"dlv_3","tri`);
    const sink = fileSink(path);
    // The restart redelivers the unacknowledged 2 and 3, then goes on with 4; later a replay of 2.
    for (const n of [2, 3, 4, 2]) expect(await sink.send(msg(n))).toEqual({ kind: 'ack' });
    await sink.close();
    const ids = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(ids).toEqual(['dlv_1', 'dlv_2', 'dlv_3', 'dlv_4', 'dlv_2']);
  });

  it('writes a first attempt (a replay, a redelivery) even when the file ends with it; a crash redelivery once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sink-')), 'out.ndjson');
    writeFileSync(path, `${JSON.stringify(msg(1))}\n${JSON.stringify(msg(2))}\n`);
    // Restarted after deliveries 1 and 2 were acknowledged; both are replayed: first attempts.
    const sink = fileSink(path);
    for (const n of [1, 2]) expect(await sink.send(msg(n), { attempt: 1 })).toEqual({ kind: 'ack' });
    await sink.close();
    // Killed after writing the replayed 2 but before its ack: its next attempt is not written twice.
    const restarted = fileSink(path);
    expect(await restarted.send(msg(2), { attempt: 2 })).toEqual({ kind: 'ack' });
    await restarted.close();
    const ids = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(ids).toEqual(['dlv_1', 'dlv_2', 'dlv_1', 'dlv_2']);
  });

  it('reads only the end of a large file, whose first partial line it leaves alone', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sink-')), 'out.ndjson');
    for (let i = 0; i < 1000; i++) appendFileSync(path, `${JSON.stringify(msg(i % 30))}\n`);
    const sink = fileSink(path);
    expect(await sink.send(msg(29))).toEqual({ kind: 'ack' });
    expect(await sink.send(msg(29))).toEqual({ kind: 'ack' });
    await sink.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1001);
    expect(JSON.parse(lines.at(-1)!).id).toBe('dlv_29');
  });

  it('tries the file again once its folder exists', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sink-')), 'later');
    const sink = fileSink(join(dir, 'out.ndjson'));
    expect(await sink.send(msg(1))).toMatchObject({ kind: 'retry' });
    mkdirSync(dir);
    expect(await sink.send(msg(1))).toEqual({ kind: 'ack' });
    await sink.close();
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
