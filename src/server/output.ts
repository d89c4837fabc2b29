/**
 * Rows on the wire. `json` is one document (a page: `{ data, next_cursor }`); `ndjson` and `csv`
 * are streamed as the rows arrive from Stripe, pulled one page at a time, so an export of any size
 * runs in constant memory and a client that stops reading stops the paging. The first row is read
 * before the answer starts, so a bad filter or a refused key still gets its error status.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { csvRows, shapeObject, type Shape } from '../entities/index.ts';
import { toConnectorError } from '../errors.ts';
import type { Row } from '../query/index.ts';
import type { Page } from './cursor.ts';
import { errorBody } from './errors.ts';

export type Format = 'json' | 'ndjson' | 'csv';
export const FORMATS: Format[] = ['json', 'ndjson', 'csv'];
export const NEXT_CURSOR_TRAILER = 'x-next-cursor';

const CONTENT_TYPES: Record<Exclude<Format, 'json'>, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** Serialises rows one by one; CSV is the CLI's writer (formula cells escaped, entities/csv.ts). */
function serializer(format: Exclude<Format, 'json'>): (row: Row) => string {
  return format === 'ndjson' ? (row) => JSON.stringify(row) + '\n' : csvRows();
}

export async function sendPage(
  reply: FastifyReply,
  page: Page,
  format: Format,
  shape: Shape,
  requestId: string,
): Promise<FastifyReply> {
  const shaped = (row: Row) => (shape === 'native' ? row : (shapeObject(row, shape) as Row));
  if (format === 'json') {
    const data: Row[] = [];
    for await (const row of page.rows) data.push(shaped(row));
    return reply
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ data, next_cursor: page.nextCursor() }));
  }
  const first = await page.rows.next();
  const write = serializer(format);
  async function* body(): AsyncGenerator<string> {
    if (first.done) return;
    yield write(shaped(first.value));
    try {
      for await (const row of page.rows) yield write(shaped(row));
    } catch (error) {
      // The status is sent already: an ndjson stream ends with the error as its last line; a CSV
      // stream can only be cut short (the client sees an incomplete body, not a wrong one).
      if (format === 'csv') throw error;
      yield JSON.stringify(errorBody(toConnectorError(error), requestId)) + '\n';
    }
  }
  reply.trailer(NEXT_CURSOR_TRAILER, async () => page.nextCursor() ?? '');
  return reply.type(CONTENT_TYPES[format]).send(Readable.from(body(), { objectMode: false }));
}
