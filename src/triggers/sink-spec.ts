/**
 * Where a trigger delivers, written as one string: `https://…` / `http://…` (a signed callback),
 * `file:PATH` (NDJSON appended), `stdout` (NDJSON), `exec:COMMAND` (delivery JSON on stdin), or
 * `destination:NAME`, one of the destinations the operator declared (resolved when the trigger runs).
 */

export type SinkSpec =
  | {
      kind: 'http';
      url: string;
      /** Secret reference (`env:VAR`, `file:PATH`) of the `whsec_` key. */ secret: string;
    }
  | { kind: 'file'; path: string }
  | { kind: 'stdout' }
  | { kind: 'exec'; command: string }
  | { kind: 'destination'; name: string };

/** A destination's name, as trigger and destination names are written. */
const DESTINATION_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The parsed spec, or a reason it is not one. */
export function parseSinkSpec(text: string, secret?: string): SinkSpec | { error: string } {
  if (text === 'stdout') return { kind: 'stdout' };
  if (text.startsWith('file:')) {
    const path = text.slice(5);
    return path ? { kind: 'file', path } : { error: 'file: needs a path (file:out.ndjson)' };
  }
  if (text.startsWith('destination:')) {
    const name = text.slice('destination:'.length);
    if (!DESTINATION_NAME.test(name))
      return {
        error: 'destination: needs the name of a destination the operator declared (destination:orders-hook)',
      };
    if (secret) return { error: "a destination carries its own secret: sinkSecret can't be given with it" };
    return { kind: 'destination', name };
  }
  if (text.startsWith('exec:')) {
    const command = text.slice(5).trim();
    return command ? { kind: 'exec', command } : { error: 'exec: needs a command (exec:./handle.sh)' };
  }
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { error: 'is not a valid URL' };
    }
    // A sink is stored and shown: what proves a delivery is its signature (sinkSecret), not a password.
    if (url.username || url.password)
      return {
        error:
          "a sink URL can't carry credentials (they would be stored and shown): receivers verify the signature made with sinkSecret",
      };
    if (!secret) return { error: 'an http(s) sink needs sinkSecret (env:VAR or file:PATH of a whsec_ key)' };
    return { kind: 'http', url: text, secret };
  }
  return { error: 'must be destination:NAME, http(s)://…, file:PATH, stdout or exec:COMMAND' };
}
