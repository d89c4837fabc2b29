/**
 * How a slice that proved large splits its remaining range, from what its first page showed.
 *
 * A slice walks `created` newest first. Its first full page spans [oldest row, newest row]; at that
 * density, the remaining range [gte, oldest) would take `remaining / span` more pages. The walker
 * keeps the top part (about `pagesPerSlice` pages) and hands the rest out as new slices: a few
 * uniform ones of the same size, then one tail slice down to `gte`, since where the account's data
 * begins is unknown. The tail walks on like any slice and, being dense, splits again on its own
 * first page. No probe requests: every request returns rows, or proves a range empty (at most the
 * uniform slices past the oldest object, one request each).
 */
export interface Range {
  gte: number;
  lte: number;
}

export interface SplitOptions {
  /** Pages each slice should hold, about (default 8): fewer slices, fewer part-filled last pages. */
  pagesPerSlice?: number;
  /** Most uniform slices made from one split (default 8). */
  maxSlices?: number;
}

/**
 * Splits [gte, cut) given the first page's span; returns the range the walker keeps (ending at
 * `lte`) and the new slices, newest first. Nothing to split: keeps [gte, lte] whole.
 */
export function splitRemaining(
  slice: Range,
  page: { newest: number; oldest: number },
  options: SplitOptions = {},
): { keep: Range; slices: Range[] } {
  const perSlice = options.pagesPerSlice ?? 8;
  const span = Math.max(1, page.newest - page.oldest + 1);
  const width = span * perSlice;
  const cut = page.oldest; // rows of the oldest second itself stay with the walker
  if (cut - slice.gte <= width) return { keep: slice, slices: [] };
  const keepFrom = cut - width;
  const slices: Range[] = [];
  let top = keepFrom - 1;
  const uniform = options.maxSlices ?? 8;
  for (let i = 0; i < uniform && top >= slice.gte; i++) {
    slices.push({ gte: Math.max(slice.gte, top - width + 1), lte: top });
    top -= width;
  }
  if (top >= slice.gte) slices.push({ gte: slice.gte, lte: top });
  return { keep: { gte: keepFrom, lte: slice.lte }, slices };
}
