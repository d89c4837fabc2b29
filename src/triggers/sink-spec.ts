/**
 * Where a trigger delivers, written as one string: `https://…` / `http://…` (a signed callback),
 * `file:PATH` (NDJSON appended), `stdout` (NDJSON), `exec:COMMAND` (delivery JSON on stdin).
 */

export type SinkSpec =
  | {
      kind: 'http';
      url: string;
      /** Secret reference (`env:VAR`, `file:PATH`) of the `whsec_` key. */ secret: string;
    }
  | { kind: 'file'; path: string }
  | { kind: 'stdout' }
  | { kind: 'exec'; command: string };

/** The parsed spec, or a reason it is not one. */
export function parseSinkSpec(text: string, secret?: string): SinkSpec | { error: string } {
  if (text === 'stdout') return { kind: 'stdout' };
  if (text.startsWith('file:')) {
    const path = text.slice(5);
    return path ? { kind: 'file', path } : { error: 'file: needs a path (file:out.ndjson)' };
  }
  if (text.startsWith('exec:')) {
    const command = text.slice(5).trim();
    return command ? { kind: 'exec', command } : { error: 'exec: needs a command (exec:./handle.sh)' };
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      return { error: `"${text}" is not a valid URL` };
    }
    if (!secret) return { error: 'an http(s) sink needs sinkSecret (env:VAR or file:PATH of a whsec_ key)' };
    return { kind: 'http', url: text, secret };
  }
  return { error: 'must be http(s)://…, file:PATH, stdout or exec:COMMAND' };
}
