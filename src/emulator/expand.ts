/** `expand[]`: replaces id strings along dotted paths with the objects they name (`data.customer`). */
import { embeddedList, type Ctx } from './engine.ts';
import { invalid } from './errors.ts';
import type { Obj } from './objects.ts';

const MAX_DEPTH = 4;

export function expandAll(ctx: Ctx, root: Obj, paths: string[]): Obj {
  let out = root;
  for (const path of paths) {
    const parts = path.split('.');
    if (parts.length > MAX_DEPTH) {
      throw invalid(
        `You cannot expand more than ${MAX_DEPTH} levels of a property. Property: ${path}`,
        undefined,
        'expand',
      );
    }
    out = expandPath(ctx, out, parts) as Obj;
  }
  return out;
}

function expandPath(ctx: Ctx, node: unknown, parts: string[]): unknown {
  if (Array.isArray(node)) return node.map((n) => expandPath(ctx, n, parts));
  if (!node || typeof node !== 'object') return node;
  const copy: Obj = { ...(node as Obj) };
  const [key, ...rest] = parts;
  let value = copy[key];
  const include =
    value === undefined && typeof copy.object === 'string'
      ? ctx.engine.includables.get(`${copy.object}:${key}`)
      : undefined;
  if (include) {
    const list = include(ctx, copy);
    if (list) value = embeddedList(list);
  }
  if (typeof value === 'string') {
    const schema = typeof copy.object === 'string' ? ctx.engine.shapes.schema(copy.object) : undefined;
    const hint = schema?.fields?.[key]?.expandable ?? [key];
    const found = ctx.engine.lookupAny(ctx, value, hint);
    if (found) value = ctx.engine.render(found);
  }
  copy[key] = rest.length ? expandPath(ctx, value, rest) : value;
  return copy;
}
