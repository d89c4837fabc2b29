/**
 * Reads one YAML (or JSON: JSON is YAML) object from a file a user wrote — a connection file, a
 * server config, a plan file — with errors that name the file and never quote its contents.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConnectorError, type ErrorCode } from '../errors.ts';

/** `what` names the kind of file in messages ("connection file"); `code` is the error code for all three faults. */
export function readYamlObject(
  path: string,
  what: string,
  code: ErrorCode,
): { file: string; data: Record<string, unknown> } {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConnectorError(
      code,
      `cannot read ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { file },
    );
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    // The parser's message quotes the offending source line, which may hold a literal secret (the
    // very mistake a broken file often contains): keep only the reason and the position.
    const reason = (error as Error).message.split('\n', 1)[0].replace(/:\s*$/, '');
    throw new ConnectorError(code, `${what} ${file} is not valid YAML/JSON: ${reason}`, { file });
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new ConnectorError(code, `${what} ${file} must hold one object`, { file });
  return { file, data: data as Record<string, unknown> };
}
