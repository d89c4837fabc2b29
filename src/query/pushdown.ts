/**
 * Planner step 3, pushdown: which predicates of the top-level AND the list call can apply.
 *   - list parameters (`email`, `customer`, `status`, `price` on Subscription, …) take `=`;
 *   - range parameters (`created`) take comparisons, merged into one range;
 *   - a small IN on a parameter becomes one scan per value; an IN on `x` where the call has an
 *     array parameter `xs` (`types[]` on events) is sent in chunks of its maximum;
 *   - a prefix LIKE on a wildcard parameter (`type LIKE 'invoice.%'` on events) is `invoice.*`;
 *   - `id = …` / `id IN (…)` are kept for retrieves;
 *   - nothing that would take a request past REQUEST_MAX: that predicate stays local.
 */
import type { OperationParam } from '../catalog/index.ts';
import { toText, type Expr, type LeafExpr, type Value } from './ast.ts';
import type { BoundQuery } from './bind.ts';
import { PAGING_PARAMS } from './fields.ts';
import type { ListChoice } from './operation.ts';
import { abbreviate, REQUEST_MAX, requestSize } from './request-size.ts';
import { ARRAY_PARAM_MAX, WILDCARD_PARAMS } from '../catalog/overrides.ts';

/** A small IN becomes this many scans at most (one per value); a larger one stays local. */
const IN_SCANS_MAX = 10;

type Range = { gt?: number; gte?: number; lt?: number; lte?: number };

export interface Pushdown {
  params: Record<string, unknown>;
  /** One list call per value of `param` (a value may be a chunk: an array). */
  fanOut?: { param: string; values: unknown[] };
  /** `id = …` / `id IN (…)`: the ids to retrieve, if the retrieve applies. */
  retrieveIds?: string[];
  consumed: Set<Expr>;
  pushed: string[];
  /** A predicate other than a range was sent (an equality, an IN or a wildcard). */
  narrowed: boolean;
  notes: string[];
}

export function rangeParam(param: OperationParam | undefined): boolean {
  if (!param || param.type !== 'anyOf') return false;
  return Boolean(param.of?.some((o) => o.type === 'object' && o.fields?.gte && o.fields?.lt));
}

function scalarParam(param: OperationParam | undefined): boolean {
  return Boolean(param && ['string', 'enum', 'boolean', 'integer'].includes(param.type));
}

function paramAccepts(param: OperationParam, value: Value): boolean {
  if (value === null) return false;
  if (param.type === 'enum') return (param.values ?? []).includes(value);
  if (param.type === 'boolean') return typeof value === 'boolean';
  if (param.type === 'integer') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === 'string';
}

function addRange(r: Range, op: string, v: number): void {
  if (op === '=') {
    r.gte = Math.max(r.gte ?? -Infinity, v);
    r.lte = Math.min(r.lte ?? Infinity, v);
  } else if (op === '>') r.gt = Math.max(r.gt ?? -Infinity, v);
  else if (op === '>=') r.gte = Math.max(r.gte ?? -Infinity, v);
  else if (op === '<') r.lt = Math.min(r.lt ?? Infinity, v);
  else if (op === '<=') r.lte = Math.min(r.lte ?? Infinity, v);
}

function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** What one predicate asks of the call: a parameter value, a range, or one call per value. */
type Ask =
  | { kind: 'param'; name: string; value: unknown }
  | { kind: 'range'; name: string }
  | { kind: 'fanOut'; param: string; values: unknown[] }
  | undefined;

function ask(q: BoundQuery, list: ListChoice, item: LeafExpr): Ask {
  const params = list.op.params;
  const param = params.find((p) => p.name === item.field);
  const resource = q.entity.id;
  if (item.kind === 'in' && !item.negated && item.values.length > 0) {
    const values = [...new Set(item.values.filter((v) => v !== null))];
    const plural = params.find(
      (p) => p.name === `${item.field}s` && p.type === 'array' && p.items?.type === 'string',
    );
    if (plural && values.every((v) => typeof v === 'string')) {
      const max = ARRAY_PARAM_MAX[resource]?.[plural.name] ?? IN_SCANS_MAX;
      if (values.length <= max) return { kind: 'param', name: plural.name, value: values };
      if (values.length <= max * IN_SCANS_MAX)
        return { kind: 'fanOut', param: plural.name, values: chunks(values, max) };
    }
    if (
      scalarParam(param) &&
      values.length <= IN_SCANS_MAX &&
      item.values.every((v) => v === null || paramAccepts(param!, v))
    )
      return { kind: 'fanOut', param: item.field, values };
    return undefined;
  }
  if (!param) return undefined;
  if (item.kind === 'compare' && rangeParam(param) && typeof item.value === 'number' && item.op !== '!=')
    return { kind: 'range', name: item.field };
  if (item.kind === 'compare' && item.op === '=' && scalarParam(param) && paramAccepts(param, item.value))
    return { kind: 'param', name: item.field, value: item.value };
  const wildcard = WILDCARD_PARAMS[resource]?.[item.field];
  const prefix =
    item.kind === 'like' && !item.negated && !item.caseInsensitive && /^([^%_\\]+)%$/.exec(item.pattern);
  if (wildcard && prefix) return { kind: 'param', name: item.field, value: `${prefix[1]}${wildcard}` };
  return undefined;
}

function takeRetrieve(item: LeafExpr): string[] | undefined {
  if (item.kind === 'compare' && item.op === '=' && typeof item.value === 'string') return [item.value];
  if (item.kind === 'in' && !item.negated && item.values.length <= IN_SCANS_MAX)
    return item.values.filter((v): v is string => typeof v === 'string');
  return undefined;
}

export function pushDown(q: BoundQuery, list: ListChoice): Pushdown {
  const out: Pushdown = {
    params: {},
    consumed: new Set(list.consumed),
    pushed: list.consumed.map((c) => toText(c)),
    narrowed: false,
    notes: [],
  };
  const ranges = new Map<string, Range>();
  // Room for what every call also carries: the page size, expansions and a cursor.
  const fixed = { limit: 100, expand: q.expand.map((e) => `data.${e}`), starting_after: 'x'.repeat(64) };
  const fits = (extra: Record<string, unknown>) =>
    requestSize(list.path, { ...out.params, ...fixed, ...extra }) <= REQUEST_MAX;
  for (const item of q.items) {
    if (out.consumed.has(item) || !('field' in item) || item.fieldKind === 'parent') continue;
    if (item.field === 'id') {
      out.retrieveIds ??= takeRetrieve(item);
      continue;
    }
    if (PAGING_PARAMS.has(item.field)) continue;
    const wanted = ask(q, list, item);
    if (!wanted) continue;
    if (wanted.kind === 'range') {
      const r = ranges.get(wanted.name) ?? {};
      addRange(r, (item as { op: string }).op, (item as { value: number }).value);
      ranges.set(wanted.name, r);
    } else if (wanted.kind === 'param') {
      if (wanted.name in out.params || out.fanOut?.param === wanted.name) continue;
      if (!fits({ [wanted.name]: wanted.value })) {
        out.notes.push(
          `${abbreviate(toText(item))} is not sent: the request would exceed ${REQUEST_MAX} bytes; checked locally`,
        );
        continue;
      }
      out.params[wanted.name] = wanted.value;
      out.narrowed = true;
    } else {
      if (out.fanOut || wanted.param in out.params) continue;
      if (!wanted.values.every((v) => fits({ [wanted.param]: v }))) {
        out.notes.push(
          `${abbreviate(toText(item))} is not sent: a request would exceed ${REQUEST_MAX} bytes; checked locally`,
        );
        continue;
      }
      out.fanOut = { param: wanted.param, values: wanted.values };
      out.narrowed = true;
      if (wanted.values.some(Array.isArray))
        out.notes.push(
          `${item.field} IN (${(item as { values: unknown[] }).values.length} values) is sent as ${wanted.values.length} calls with ${wanted.param}[]`,
        );
    }
    out.consumed.add(item);
    out.pushed.push(toText(item));
  }
  for (const [name, r] of ranges) out.params[name] = r;
  return out;
}
