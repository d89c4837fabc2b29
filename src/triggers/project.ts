/**
 * The fields projection: each entry is `path` or `output=path` (dotted both). The output keeps
 * the nesting of the output path (`outcome.type` → `{ outcome: { type } }`); a field the object
 * does not have comes out as null, so every delivery of a trigger has the same keys.
 */

type Json = Record<string, unknown>;

export interface FieldMap {
  output: string[];
  from: string[];
}

export function parseFields(fields: readonly string[]): FieldMap[] {
  return fields.map((entry) => {
    const [output, from = output] = entry.split('=');
    return { output: output.split('.'), from: from.split('.') };
  });
}

function read(object: Json, path: string[]): unknown {
  let current: unknown = object;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Json)[part];
  }
  return current ?? null;
}

export function project(object: Json, fields: readonly FieldMap[] | undefined): Json {
  if (!fields) return object;
  const out: Json = {};
  for (const field of fields) {
    let target = out;
    for (const part of field.output.slice(0, -1)) {
      if (typeof target[part] !== 'object' || target[part] === null) target[part] = {};
      target = target[part] as Json;
    }
    const value = read(object, field.from);
    // A nested object the source left null stays null, not a skeleton of nulls.
    if (!((field.output.at(-1) as string) in target)) target[field.output.at(-1) as string] = value;
  }
  return collapseNulls(out, object, fields);
}

/** `discount: null` on the object → `discount: null` in the output, instead of `{ end: null, … }`. */
function collapseNulls(out: Json, object: Json, fields: readonly FieldMap[]): Json {
  for (const field of fields) {
    if (field.output.length < 2 || field.output[0] !== field.from[0]) continue;
    if (read(object, field.from.slice(0, 1)) === null) out[field.output[0]] = null;
  }
  return out;
}
