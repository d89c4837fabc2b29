/**
 * The Google seed's output shapes. Every seed answer is a one-element array; what goes into that
 * element depends on the action's rule (SEED_RULES in catalog/overrides.ts).
 */
import type { SeedRule } from '../catalog/index.ts';
import { seedRow } from '../entities/shape.ts';

type Json = Record<string, any>;

const idOf = (value: unknown): unknown =>
  typeof value === 'object' && value !== null ? (value as Json).id : (value ?? null);

/** The seed's one-element answer for an action's object, by the action's rule (catalog.seedRule). */
export function seedOutput(rule: SeedRule, object: Json): Json[] {
  switch (rule) {
    case 'success':
      return [{ Success: 'true' }];
    case 'invoice':
      return [{ InvoiceId: idOf(object.invoice), Success: 'true' }];
    default:
      return [{ Success: 'true', ...seedRow(object) }];
  }
}
