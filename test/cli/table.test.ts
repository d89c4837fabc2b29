import { describe, expect, it } from 'vitest';
import { cellText, defaultColumns, fitWidths, renderTable } from '../../src/cli/table.ts';

describe('tables', () => {
  it('default columns: id first, then the identifying fields the entity has, in a fixed order', () => {
    expect(defaultColumns(['metadata', 'created', 'email', 'balance', 'id', 'name', 'address'])).toEqual([
      'id',
      'name',
      'email',
      'created',
    ]);
    expect(defaultColumns(['status', 'amount', 'id', 'currency', 'livemode'])).toEqual([
      'id',
      'amount',
      'currency',
      'status',
    ]);
  });

  it('fits widths under a bound by capping the widest columns only', () => {
    expect(fitWidths([2, 50, 100], 200)).toEqual([2, 50, 100]);
    // The id (18) and the date (20) stay whole; the two text columns share what is left.
    expect(fitWidths([18, 50, 100, 20], 80)).toEqual([18, 21, 21, 20]);
    const squeezed = fitWidths([18, 50, 100, 20], 30);
    expect(squeezed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30);
  });

  it('renders no line wider than the width, cutting cells with …, timestamps as ISO dates', () => {
    const text = renderTable(['id', 'description', 'created'], [['cus_1', 'x'.repeat(300), 1_700_000_000]], {
      width: 60,
      timestamps: new Set(['created']),
    });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(text).toContain('…');
    expect(text).toContain('cus_1');
    expect(cellText(1_700_000_000, true)).toBe('2023-11-14T22:13:20Z');
  });
});
