/**
 * Flattening of Stripe objects into rows with dotted columns, as the seeds show them:
 * `payment_method_options.card.installments`, `lines.data`, `lines.has_more`, `lines.total_count`.
 * Shared by entity outputs, action outputs (seed shape) and the query engine's `--flat`.
 */

export interface FlattenOptions {
  /**
   * How many object levels become columns; deeper objects stay values. Default: unlimited.
   * `1` gives `address.city` but keeps `payment_method_options.card` as an object value.
   */
  maxDepth?: number;
  /** Column separator; default '.'. */
  separator?: string;
}

export type Row = Record<string, unknown>;

/** A JSON object (not an array, not null, not a Date). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** A Stripe list (`{object: 'list', data: [...], has_more, url}`) keeps `data` as one value. */
const isStripeList = (value: Record<string, unknown>): boolean =>
  value.object === 'list' && Array.isArray(value.data);

/**
 * One object → one row. Nested objects become dotted columns; arrays stay values (so `lines.data`
 * is an array of line items, not columns per index); empty objects stay values so the column is
 * not lost (`metadata: {}`); null stays null.
 */
export function flatten(object: Record<string, unknown>, options: FlattenOptions = {}): Row {
  const maxDepth = options.maxDepth ?? Infinity;
  const sep = options.separator ?? '.';
  const row: Row = {};
  const walk = (value: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [key, child] of Object.entries(value)) {
      const column = prefix ? `${prefix}${sep}${key}` : key;
      if (isPlainObject(child) && Object.keys(child).length > 0 && depth < maxDepth) {
        if (isStripeList(child)) {
          // A list's own fields are columns; its data stays one array value (seed: `lines.data`).
          for (const [listKey, listValue] of Object.entries(child))
            row[`${column}${sep}${listKey}`] = listValue;
        } else {
          walk(child, column, depth + 1);
        }
      } else {
        row[column] = child;
      }
    }
  };
  walk(object, '', 0);
  return row;
}
