/** Names usable on a command line: an integration's slug from its title, catalogs' names. */
import { ConnectorError } from '../errors.ts';

/** The same rule as connection names: lower-case letters, digits and `-`, 1–63 characters. */
export const SLUG_PATTERN = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `My Billing` → `my-billing`; accents folded, anything else becomes one `-`. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  if (!slug) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `title "${title}" gives no name: it needs at least one letter (or pass a name)`,
      { field: 'title' },
    );
  }
  return slug;
}

/** Checks a given name; `what` names the field in the message (`name`, `catalog`). */
export function checkName(name: string, what: string): string {
  if (!SLUG_PATTERN.test(name)) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `${what} "${name}" is not a valid name: lower-case letters, digits and "-", starting with a letter, at most 63 characters`,
      { field: what },
    );
  }
  return name;
}
