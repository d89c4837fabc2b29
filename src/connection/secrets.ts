/**
 * Secret references. A connection file names where a secret lives (`env:VAR`, `file:PATH`), never the
 * secret itself, so connection files can be committed and shared; the value is read once at load.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConnectorError } from '../errors.ts';

export interface SecretContext {
  env: Record<string, string | undefined>;
  /** Relative `file:` paths are read from here (the connection file's folder). */
  baseDir: string;
}

/** True for a string that is a reference rather than a value. */
export function isSecretReference(value: string): boolean {
  return /^(env|file):./.test(value);
}

/** Values that are obviously secrets: a file holding one leaks it to whoever reads the file. */
export function looksLikeSecretLiteral(value: string): boolean {
  return /^(sk|rk)_(test|live)_/.test(value) || /^whsec_/.test(value);
}

/**
 * Resolves a reference. `keyPath` names the field for the error message (`proxy.password`);
 * the message never contains the value.
 */
export function resolveSecret(ref: string, keyPath: string, ctx: SecretContext): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = ctx.env[name];
    if (value === undefined || value === '') {
      throw new ConnectorError('SECRET_UNRESOLVED', `${keyPath}: environment variable ${name} is not set`, {
        key: keyPath,
        reference: ref,
      });
    }
    return value.trim();
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    const full = isAbsolute(path) ? path : resolve(ctx.baseDir, path);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (error) {
      throw new ConnectorError(
        'SECRET_UNRESOLVED',
        `${keyPath}: cannot read secret file ${full} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        { key: keyPath, reference: ref },
      );
    }
    // The first line only: files written by `echo` end in a newline, and secret managers that
    // mount files sometimes append metadata after it.
    const first = text.split(/\r?\n/, 1)[0].trim();
    if (!first) {
      throw new ConnectorError('SECRET_UNRESOLVED', `${keyPath}: secret file ${full} is empty`, {
        key: keyPath,
        reference: ref,
      });
    }
    return first;
  }
  throw new ConnectorError(
    'CONNECTION_INVALID',
    `${keyPath}: expected a secret reference "env:VAR" or "file:PATH"`,
    { key: keyPath },
  );
}
