/**
 * NDJSON sinks: one delivery per line, to a file (appended, fsync'd before the ack so an
 * acknowledged delivery survives a power cut) or to stdout (flushed before the ack). Lines are
 * written one at a time even when deliveries run in parallel, so they never interleave.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Sink, SinkMessage, SinkOutcome } from './types.ts';

function serial(write: (line: string) => Promise<void>): (line: string) => Promise<void> {
  let tail: Promise<unknown> = Promise.resolve();
  return (line) => {
    const next = tail.then(() => write(line));
    tail = next.catch(() => undefined);
    return next;
  };
}

function lineSink(write: (line: string) => Promise<void>, what: string, close: () => Promise<void>): Sink {
  const append = serial(write);
  return {
    async send(message: SinkMessage): Promise<SinkOutcome> {
      try {
        await append(`${JSON.stringify(message)}\n`);
        return { kind: 'ack' };
      } catch (error) {
        return {
          kind: 'retry',
          error: `${what}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        };
      }
    },
    close,
  };
}

export function fileSink(path: string): Sink {
  let handle: Promise<FileHandle> | undefined;
  const file = () => (handle ??= open(path, 'a'));
  return lineSink(
    async (line) => {
      const fh = await file();
      await fh.write(line);
      await fh.datasync();
    },
    `file ${path}`,
    async () => {
      if (handle) await (await handle).close();
      handle = undefined;
    },
  );
}

export function streamSink(stream: Writable = process.stdout): Sink {
  return lineSink(
    (line) =>
      new Promise<void>((resolve, reject) =>
        stream.write(line, (error) => (error ? reject(error) : resolve())),
      ),
    'stdout',
    async () => undefined,
  );
}
