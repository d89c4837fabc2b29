/** Files a command writes on request (--output): faults name the option and the path. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConnectorError } from '../errors.ts';

/** Writes `data` to `file` (relative to the working directory) and answers the full path. */
export function writeOutputFile(file: string, data: Buffer | string, option = '--output'): string {
  const full = resolve(file);
  try {
    writeFileSync(full, data);
  } catch (error) {
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `${option}: cannot write ${full} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { field: option },
    );
  }
  return full;
}
