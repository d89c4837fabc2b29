/**
 * Inputs as people type them on a command line (or a form): a payload as JSON text or `@file`,
 * parents as `customer=cus_1`, lists as `a,b`. Faults are INVALID_ARGUMENT naming the option.
 */
import { readFileSync } from 'node:fs';
import { ConnectorError } from '../errors.ts';
import type { Payload } from '../entities/payload.ts';

/**
 * `{"Name":"John"}` or `@payload.json` (`@-` reads stdin). Not given: `{}`. Given but empty (or only
 * whitespace, also from an empty file or stdin) is refused: an empty object must be written `{}`, so
 * a lost shell variable or an empty file never sends a write with nothing in it.
 */
export function readPayload(text: string | undefined, option = '--payload'): Payload {
  if (text === undefined) return {};
  let source = text;
  if (text.startsWith('@')) {
    const file = text.slice(1);
    try {
      source = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (error) {
      throw new ConnectorError(
        'INVALID_ARGUMENT',
        `${option}: cannot read ${file}: ${(error as Error).message}`,
        {
          field: option,
        },
      );
    }
  }
  if (source.trim() === '') {
    const where = text.startsWith('@')
      ? ` (${text.slice(1) === '-' ? 'stdin' : text.slice(1)} is empty)`
      : '';
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `${option} is empty${where}: pass a JSON object, {} for none`,
      {
        field: option,
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new ConnectorError('INVALID_ARGUMENT', `${option} is not valid JSON: ${(error as Error).message}`, {
      field: option,
    });
  }
  // A seed-style one-element array of the payload is accepted as the payload.
  if (Array.isArray(value) && value.length === 1) value = value[0];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConnectorError('INVALID_ARGUMENT', `${option} must be a JSON object`, { field: option });
  }
  return value as Payload;
}

/** `--parent customer=cus_1 --parent quote=qt_1` → `{customer: 'cus_1', quote: 'qt_1'}`. */
export function parseParents(values: string[] | undefined, option = '--parent'): Record<string, string> {
  const parents: Record<string, string> = {};
  for (const value of values ?? []) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) {
      throw new ConnectorError('INVALID_ARGUMENT', `${option} takes name=id, got "${value}"`, {
        field: option,
      });
    }
    parents[value.slice(0, eq).trim()] = value.slice(eq + 1).trim();
  }
  return parents;
}

/** `a,b , c` → `['a','b','c']`. */
export function parseList(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}
