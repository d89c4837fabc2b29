/**
 * Output shapes. `native`: Stripe's JSON. `flat`: one row with dotted columns. `seed`: what the
 * Google seed documents: flattened, scalars as strings (`"amount": "33000"`, `"livemode": "false"`),
 * null kept, an empty list as null (`"lines.data": null`); writes answer `{ "Id": "…" }`.
 */
import { ConnectorError } from '../errors.ts';
import { flatten, type Row } from './flatten.ts';

export type Shape = 'native' | 'flat' | 'seed';
export const SHAPES: Shape[] = ['native', 'flat', 'seed'];

export function checkShape(shape: string | undefined, allowed: readonly string[] = SHAPES): Shape {
  const value = shape ?? 'native';
  if (!allowed.includes(value)) {
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `unknown shape "${value}"; use one of ${allowed.join(', ')}`,
      {
        field: 'shape',
        allowed,
      },
    );
  }
  return value as Shape;
}

/** A seed cell: strings for scalars, null for nothing. */
function seedValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.length ? value : null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

export function seedRow(object: Record<string, unknown>): Row {
  const row: Row = {};
  for (const [column, value] of Object.entries(flatten(object))) row[column] = seedValue(value);
  return row;
}

/** An object in a shape: `native` as is, `flat` flattened, `seed` flattened with seed cells. */
export function shapeObject<T extends Record<string, unknown>>(object: T, shape: Shape): T | Row {
  if (shape === 'flat') return flatten(object);
  if (shape === 'seed') return seedRow(object);
  return object;
}
