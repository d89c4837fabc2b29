/**
 * An in-memory stand-in for Stripe's list/search/retrieve semantics, for planner/executor tests that
 * need exact control (request counts, orders). The emulator tests cover the real wire.
 */
import type { Gateway, GatewayRequest } from '../../src/gateway/types.ts';
import { ConnectorError } from '../../src/errors.ts';
import { seededRng } from '../../src/emulator/random.ts';

export type Obj = Record<string, any>;

export interface FakeGateway extends Gateway {
  requests: GatewayRequest[];
  /** Collections by list path (`/v1/customers`). */
  data: Map<string, Obj[]>;
  latencyMs: number;
}

function newestFirst(a: Obj, b: Obj): number {
  return b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * The fake's own path reader (not the evaluator's): Stripe's search reads a dotted field of the
 * object, an expanded object standing for its id.
 */
function fieldOf(obj: Obj, dotted: string): unknown {
  const value = dotted.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), obj);
  return value && typeof value === 'object' && 'id' in value ? value.id : value;
}

/** Params of a list call that filter on something else than the field of the same name. */
const PARAM_FILTERS: Record<string, (obj: Obj, value: any) => boolean> = {
  // Events: `type` takes a trailing `*` wildcard; `types[]` is any of the names.
  type: (obj, value) =>
    String(value).endsWith('*')
      ? String(obj.type).startsWith(String(value).slice(0, -1))
      : obj.type === value,
  types: (obj, value) => (value as string[]).includes(obj.type),
  // Subscriptions by price: any of its items.
  price: (obj, value) => (obj.items?.data ?? []).some((i: Obj) => fieldOf(i, 'price') === value),
};

function matchesParam(obj: Obj, name: string, value: unknown): boolean {
  if (name === 'status' && value === 'all') return true;
  if (PARAM_FILTERS[name]) return PARAM_FILTERS[name](obj, value);
  const v = obj[name];
  if (value && typeof value === 'object') {
    const r = value as Record<string, number>;
    const n = Number(v);
    return (
      (r.gt === undefined || n > r.gt) &&
      (r.gte === undefined || n >= r.gte) &&
      (r.lt === undefined || n < r.lt) &&
      (r.lte === undefined || n <= r.lte)
    );
  }
  const id = v && typeof v === 'object' ? v.id : v;
  return String(id) === String(value);
}

function searchMatch(obj: Obj, query: string): boolean {
  const or = query.split(' OR ');
  const clauses = or.length > 1 ? or : query.split(' AND ');
  const test = (clause: string) => {
    const m = /^(-?)(metadata\['([^']+)'\]|[a-z_.0-9]+)(:|~|>=|<=|>|<)(.*)$/.exec(clause);
    if (!m) throw new Error(`fake search cannot parse ${clause}`);
    const [, neg, name, metaKey, op, raw] = m;
    const value = raw.startsWith("'") ? raw.slice(1, -1).replace(/\\'/g, "'") : Number(raw);
    const actual = metaKey ? obj.metadata?.[metaKey] : fieldOf(obj, name);
    let ok: boolean;
    if (op === ':') ok = actual != null && String(actual).toLowerCase() === String(value).toLowerCase();
    else if (op === '~')
      ok = actual != null && String(actual).toLowerCase().includes(String(value).toLowerCase());
    else {
      const a = Number(actual);
      const b = Number(value);
      ok = actual != null && (op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b);
    }
    return neg ? !ok : ok;
  };
  return or.length > 1 ? clauses.some(test) : clauses.every(test);
}

/** `expand[]` as Stripe does it: the named top-level id fields become the objects (`data.customer` on lists). */
function expanded(data: Map<string, Obj[]>, obj: Obj, expand: unknown, prefix: string): Obj {
  const fields = ((expand as string[] | undefined) ?? [])
    .filter((e) => e.startsWith(prefix))
    .map((e) => e.slice(prefix.length));
  if (!fields.length) return obj;
  const out = { ...obj };
  for (const f of fields) {
    const id = out[f];
    if (typeof id !== 'string') continue;
    for (const list of data.values()) {
      const found = list.find((o) => o.id === id);
      if (found) out[f] = found;
    }
  }
  return out;
}

export function fakeGateway(collections: Record<string, Obj[]> = {}, latencyMs = 0): FakeGateway {
  const data = new Map(Object.entries(collections).map(([k, v]) => [k, [...v].sort(newestFirst)]));
  const gw: FakeGateway = {
    mode: 'test',
    apiVersion: '2023-08-16',
    requests: [],
    data,
    latencyMs,
    async close() {},
    async request<T>(req: GatewayRequest): Promise<T> {
      gw.requests.push(req);
      if (gw.latencyMs) await new Promise((r) => setTimeout(r, gw.latencyMs));
      const params = (req.params ?? {}) as Record<string, any>;
      const limit = Number(params.limit ?? 10);
      if (req.path.endsWith('/search')) {
        const base = req.path.slice(0, -'/search'.length);
        const all = (data.get(base) ?? []).filter((o) => searchMatch(o, String(params.query)));
        const start = Number(params.page ?? 0);
        const page = all.slice(start, start + limit);
        const more = start + limit < all.length;
        return {
          object: 'search_result',
          data: page.map((o) => expanded(data, o, params.expand, 'data.')),
          has_more: more,
          next_page: more ? String(start + limit) : null,
        } as T;
      }
      if (data.has(req.path)) {
        let all = data.get(req.path)!;
        for (const [name, value] of Object.entries(params)) {
          if (['limit', 'starting_after', 'ending_before', 'expand'].includes(name)) continue;
          all = all.filter((o) => matchesParam(o, name, value));
        }
        let start = 0;
        if (params.starting_after) start = all.findIndex((o) => o.id === params.starting_after) + 1;
        const page = all.slice(start, start + limit);
        const rows = page.map((o) => expanded(data, o, params.expand, 'data.'));
        return { object: 'list', data: rows, has_more: start + limit < all.length, url: req.path } as T;
      }
      const slash = req.path.lastIndexOf('/');
      const found = data
        .get(req.path.slice(0, slash))
        ?.find((o) => o.id === decodeURIComponent(req.path.slice(slash + 1)));
      if (!found) throw new ConnectorError('STRIPE_NOT_FOUND', `No such object: ${req.path}`);
      return expanded(data, found, params.expand, '') as T;
    },
  };
  return gw;
}

/** A seeded pseudo-random generator: the same data on every run. */
export const rng = seededRng;

/** Customers with varied fields, some NULLs, spread over a year of `created` (ascending with the id). */
export function makeCustomers(n: number, seed = 1, start = 1_700_000_000): Obj[] {
  const r = rng(seed);
  const countries = ['US', 'DE', 'JP', 'IT', null];
  const plans = ['free', 'pro', 'team'];
  // Real objects are created in id order: `created` never decreases with the index.
  const created = Array.from({ length: n }, () => start + Math.floor(r() * 365 * 86400)).sort(
    (a, b) => a - b,
  );
  return Array.from({ length: n }, (_, i) => {
    const country = countries[Math.floor(r() * countries.length)];
    return {
      id: `cus_${String(i).padStart(8, '0')}`,
      object: 'customer',
      created: created[i],
      email: r() < 0.1 ? null : `user${i}@${r() < 0.5 ? 'example.com' : 'test.org'}`,
      name: r() < 0.2 ? null : `User ${i % 50}`,
      balance: Math.floor(r() * 10000) - 2000,
      delinquent: r() < 0.3,
      currency: r() < 0.5 ? 'usd' : null,
      address: country
        ? { city: `City${i % 7}`, country, line1: null, line2: null, postal_code: null, state: null }
        : null,
      metadata: r() < 0.5 ? { plan: plans[i % 3] } : {},
      preferred_locales: r() < 0.3 ? ['en', 'de'] : [],
      livemode: false,
    };
  });
}
