/** The one CSV writer (src/entities/csv.ts): formula cells escaped per OWASP, numbers left alone. */
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, csvRows } from '../../src/entities/csv.ts';

describe('csvCell', () => {
  it.each<[unknown, string]>([
    ['=HYPERLINK("http://evil.test","x")', `'=HYPERLINK("http://evil.test","x")`],
    ['+cmd', "'+cmd"],
    ['-2+3+cmd', "'-2+3+cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['-', "'-"],
    ['+1-555-0100', "'+1-555-0100"],
    // A number, or text that is a plain number, is no formula: escaping it would make amounts text.
    [-12, '-12'],
    [3.5, '3.5'],
    ['-12', '-12'],
    ['+42', '+42'],
    ['-1.5e3', '-1.5e3'],
    [-Infinity, "'-Infinity"],
    // Ordinary text, and what is not text.
    ['hello', 'hello'],
    ['a=b', 'a=b'],
    [' =1+1', ' =1+1'],
    ["'quoted", "'quoted"],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [true, 'true'],
    [{ a: 1 }, '{"a":1}'],
    [['=x'], '["=x"]'],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('a bigint is a number too', () => {
    expect(csvCell(-12n)).toBe('-12');
  });
});

describe('csvLine', () => {
  it('quotes an escaped cell even when CSV would not need quotes, and doubles its quotes', () => {
    expect(csvLine(['=1+1', -12, 'plain', '=A1,"x"'])).toBe(`"'=1+1",-12,plain,"'=A1,""x"""\n`);
  });
});

describe('csvRows', () => {
  it('writes the header from the first row, then rows in its order; a later column goes last', () => {
    const line = csvRows();
    expect(line({ id: 'a', '@name': 'x' })).toBe(`id,"'@name"\na,x\n`);
    expect(line({ '@name': 'y', id: 'b', extra: '=1' })).toBe(`b,y,"'=1"\n`);
  });
});
