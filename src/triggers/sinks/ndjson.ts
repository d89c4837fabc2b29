/**
 * NDJSON sinks: one delivery per line, to a file (appended, fsync'd before the ack so an
 * acknowledged delivery survives a power cut) or to stdout (flushed before the ack). Lines are
 * written one at a time even when deliveries run in parallel, so they never interleave.
 *
 * The file is the one receiver we own, so it is made whole after a crash: a kill between a line's
 * write and its ack leaves that delivery unacknowledged, and the restart delivers it again. On
 * open the file's tail is read: a torn last line (a write cut short) is cut off, and the deliveries
 * already at the file's end are acknowledged without being written twice — each once, and only
 * until the first delivery that is not among them (in order, a crash's redeliveries come first).
 * Only a delivery an earlier attempt may have written counts: a first attempt of its round (see
 * SendOptions.attempt: a replay, a redelivery) is always written, so a replay reaches the file.
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

/** A write that failed: tried again later, the cause named by its errno code. */
function writeFailed(what: string, error: unknown): SinkOutcome {
  return {
    kind: 'retry',
    error: `${what}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
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
        return writeFailed(what, error);
      }
    },
    close,
  };
}

/** How much of the file's end is read on open to find the deliveries it already holds. */
const TAIL_BYTES = 1 << 20;

export function fileSink(path: string): Sink {
  let handle: Promise<FileHandle> | undefined;
  let written = new Set<string>();
  const file = () =>
    (handle ??= open(path, 'a+').then(
      async (fh) => {
        written = await recoverTail(fh);
        return fh;
      },
      (error) => {
        handle = undefined; // the folder may appear: the next delivery tries again
        throw error;
      },
    ));
  const lines = lineSink(
    async (line) => {
      const fh = await file();
      await fh.write(line);
      await fh.datasync();
    },
    `file ${path}`,
    async () => {
      if (handle) await (await handle).close().catch(() => undefined);
      handle = undefined;
    },
  );
  return {
    async send(message, options) {
      try {
        await file();
      } catch (error) {
        return writeFailed(`file ${path}`, error);
      }
      // A first attempt (a new delivery, a redelivery or replay) cannot be one a crash left
      // unacknowledged: it is written even when the file ends with the same delivery.
      const first = options?.attempt === 1;
      if (!first && written.delete(message.id)) return { kind: 'ack' };
      written.clear();
      return lines.send(message);
    },
    close: lines.close,
  };
}

/** Cuts a torn last line off and answers the delivery ids of the complete lines at the end. */
async function recoverTail(fh: FileHandle): Promise<Set<string>> {
  const { size } = await fh.stat();
  const start = Math.max(0, size - TAIL_BYTES);
  const tail = Buffer.alloc(size - start);
  await fh.read(tail, 0, tail.length, start);
  const complete = tail.lastIndexOf(0x0a) + 1;
  // Without a newline in a window that does not reach the start, the line is just long: keep it.
  if (complete < tail.length && (complete > 0 || start === 0)) await fh.truncate(start + complete);
  const text = tail
    .subarray(0, complete)
    .toString('utf8')
    .split('\n')
    .slice(start > 0 ? 1 : 0);
  const ids = new Set<string>();
  for (const line of text) {
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') ids.add(id);
    } catch {
      // Not one of ours (or empty): nothing to recognise.
    }
  }
  return ids;
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
