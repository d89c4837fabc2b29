/**
 * The request pipeline without HTTP: route → validate → dispatch to a behaviour (hand-written
 * state machine) or the generic handler of the operation's kind → render (schema defaults) →
 * expand. Behaviours and seeding reach state through the helpers here.
 */
import type { CatalogOperation, StripeCatalog } from '../catalog/index.ts';
import { StripeError, invalid, missing } from './errors.ts';
import { Shapes, type Obj } from './objects.ts';
import { IdGenerator, type Rng } from './random.ts';
import { Router, type Route } from './router.ts';
import { Namespace, Store } from './store.ts';
import { validateParams } from './validate.ts';
import { genericHandlers } from './generic.ts';
import { expandAll } from './expand.ts';
import { eventPrefix } from './event_names.ts';

export interface Ctx {
  engine: Engine;
  ns: Namespace;
  livemode: boolean;
  /** The connected account the request acts for (`Stripe-Account`), if any. */
  account?: string;
  /** The account the API key belongs to (the key-to-account table); undefined: the default account. */
  owner?: string;
  requestId: string | null;
  idempotencyKey?: string;
  /**
   * The time of the objects being acted on: the request's time, or a test clock's while it bills
   * its subscriptions (test_clocks.ts, prorations.ts move it for Billing objects only).
   */
  now: number;
  /** The request's own time, which no test clock moves: what events and payments are stamped with. */
  realNow: number;
  resourceId: string;
  op: CatalogOperation;
  path: string;
  pathValues: Record<string, string>;
  params: Obj;
  /** A behaviour may answer with another status (402 card errors carry an object, too). */
  status?: number;
}

export type Handler = (ctx: Ctx) => Obj | Buffer | Promise<Obj | Buffer>;

/** What the engine needs from the event layer (events.ts implements it). */
export interface EventSink {
  emit(ctx: Ctx, type: string, object: Obj, previous?: Obj): Obj | undefined;
}

export interface EngineRequest {
  method: string;
  path: string;
  params: Obj;
  livemode: boolean;
  account?: string;
  owner?: string;
  requestId: string | null;
  idempotencyKey?: string;
}

export interface EngineResponse {
  status: number;
  body: Obj | Buffer;
}

export class Engine {
  readonly shapes: Shapes;
  readonly router: Router;
  readonly ids: IdGenerator;
  readonly behaviours = new Map<string, Handler>();
  /** Resolve ids Stripe treats as magic (pm_card_visa, tok_visa) into real objects. */
  readonly resolvers = new Map<string, (ctx: Ctx, id: string) => Obj | undefined>();
  /**
   * Lists Stripe sends only when expanded (`expand[]=line_items` on a quote), by
   * `<object>:<field>`; answered cut at 10 like every embedded list.
   */
  readonly includables = new Map<string, (ctx: Ctx, obj: Obj) => Obj | undefined>();
  events?: EventSink;
  /**
   * The emulator's "now" in Unix seconds. Wall time, except while the demo seed back-dates its
   * history (and, later, test clocks).
   */
  clock: () => number = () => Math.floor(Date.now() / 1000);
  private readonly prefixes = new Map<string, string[]>();

  constructor(
    readonly catalog: StripeCatalog,
    public store: Store,
    rng?: Rng,
  ) {
    this.shapes = new Shapes(catalog);
    this.router = new Router(catalog);
    this.ids = new IdGenerator(rng);
    for (const [id, r] of Object.entries(catalog.raw.resources)) {
      if (!r.idPrefix) continue;
      this.prefixes.set(r.idPrefix, [...(this.prefixes.get(r.idPrefix) ?? []), id]);
    }
  }

  on(resourceId: string, opName: string, handler: Handler): void {
    this.behaviours.set(`${resourceId}:${opName}`, handler);
  }

  async handle(req: EngineRequest): Promise<EngineResponse> {
    let match;
    try {
      match = this.router.match(req.method, req.path);
    } catch (error) {
      throw error instanceof StripeError ? early(error) : error;
    }
    if (!match) {
      throw early(
        new StripeError(
          404,
          'invalid_request_error',
          `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        ),
      );
    }
    const { route, pathValues } = match;
    if (route.op.testHelper && req.livemode) {
      throw early(invalid('Test helpers can only be used with test mode API keys.'));
    }
    const ctx = this.context(req, route, req.path, pathValues);
    try {
      ctx.params = validateParams(req.params, route.op.params);
    } catch (error) {
      throw error instanceof StripeError ? early(error) : error;
    }
    const handler =
      this.behaviours.get(`${route.resourceId}:${route.op.name}`) ?? genericHandlers[route.op.kind];
    const result = await handler(ctx);
    if (Buffer.isBuffer(result)) return { status: ctx.status ?? 200, body: result };
    const rendered = this.render(result);
    const expand = (ctx.params.expand as string[] | undefined) ?? [];
    return { status: ctx.status ?? 200, body: expand.length ? expandAll(ctx, rendered, expand) : rendered };
  }

  /** Runs an operation in-process (seeding, behaviours that call other operations). */
  async call(
    ns: { livemode: boolean; account?: string },
    method: string,
    path: string,
    params: Obj = {},
  ): Promise<Obj> {
    const res = await this.handle({ method, path, params: stringify(params), requestId: null, ...ns });
    return res.body as Obj;
  }

  /** A request's context: its namespace (the connected account's, else the key's account's) and time. */
  private context(
    req: Pick<EngineRequest, 'livemode' | 'account' | 'owner' | 'requestId' | 'idempotencyKey'>,
    route: Route,
    path: string,
    pathValues: Record<string, string>,
  ): Ctx {
    const now = this.clock();
    return {
      engine: this,
      ns: this.store.namespace(req.livemode, req.account ?? req.owner),
      livemode: req.livemode,
      account: req.account,
      owner: req.owner,
      requestId: req.requestId,
      idempotencyKey: req.idempotencyKey,
      now,
      realNow: now,
      resourceId: route.resourceId,
      op: route.op,
      path,
      pathValues,
      params: {},
    };
  }

  // ---- helpers for handlers and behaviours ----

  /** A stored object with schema defaults filled in (stored objects may be sparse, e.g. bulk loads). */
  render(obj: Obj): Obj {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
    if (obj.object === 'list' || obj.object === 'search_result') {
      return { ...obj, data: (obj.data as Obj[]).map((o) => this.render(o)) };
    }
    if (obj.deleted === true || typeof obj.object !== 'string') return { ...obj };
    const tpl = this.shapes.schema(obj.object) ? this.shapes.flatTemplate(obj.object) : undefined;
    if (!tpl) return { ...obj };
    let out: Obj | undefined;
    for (const key in tpl) {
      if (!(key in obj)) {
        out = { ...structuredClone(tpl), ...obj };
        break;
      }
    }
    out ??= { ...obj };
    for (const key of this.shapes.listFields(obj.object)) {
      // Includable lists are sent only when expanded (expand.ts fills them), never as null.
      if (this.includables.has(`${obj.object}:${key}`)) delete out[key];
      else if (out[key]?.object === 'list') out[key] = embeddedList(out[key]);
    }
    return out;
  }

  /** A new object of a resource: template, then fields; stored and announced with `<type>.created`. */
  create(ctx: Ctx, resourceId: string, fields: Obj, opts: { emit?: boolean; store?: boolean } = {}): Obj {
    const obj = this.shapes.template(resourceId);
    const schema = this.shapes.schema(resourceId);
    if (schema?.fields?.id) obj.id = fields.id ?? this.newId(resourceId, ctx.livemode);
    if (schema?.fields?.object) obj.object = resourceId;
    if (schema?.fields?.created) obj.created = CLOCKED.has(resourceId) ? ctx.now : ctx.realNow;
    if (schema?.fields?.livemode) obj.livemode = ctx.livemode;
    // Stripe's catalog objects start out usable: active products and prices, valid coupons.
    if (schema?.fields?.active?.type === 'boolean') obj.active = true;
    if (schema?.fields?.metadata && obj.metadata == null) obj.metadata = {};
    if (schema?.fields?.valid?.type === 'boolean' && resourceId === 'coupon') obj.valid = true;
    Object.assign(obj, fields);
    this.sanitize(resourceId, obj);
    if (opts.store !== false && obj.id) ctx.ns.collection(resourceId).insert(obj);
    if (opts.emit !== false && obj.id) this.emit(ctx, `${eventPrefix(resourceId)}.created`, obj);
    return obj;
  }

  /** Sets fields on a stored object and announces the change with its previous values. */
  update(ctx: Ctx, resourceId: string, obj: Obj, changes: Obj, eventType?: string | false): Obj {
    const previous: Obj = {};
    for (const [k, v] of Object.entries(changes)) {
      if (JSON.stringify(obj[k]) === JSON.stringify(v)) continue;
      previous[k] = obj[k] === undefined ? null : obj[k];
      obj[k] = v;
    }
    if (eventType !== false && Object.keys(previous).length) {
      this.emit(ctx, eventType ?? `${eventPrefix(resourceId)}.updated`, obj, previous);
    }
    return previous;
  }

  /** Keeps behaviour-built objects on schema: unknown keys go, nested objects are shaped by their spec. */
  sanitize(resourceId: string, obj: Obj): void {
    const fields = this.shapes.schema(resourceId)?.fields;
    if (!fields) return;
    for (const key of Object.keys(obj)) {
      const spec = fields[key];
      if (!spec) {
        delete obj[key];
        continue;
      }
      const value = obj[key];
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const shaped = this.shapes.coerce(value, spec);
        if (shaped !== undefined) obj[key] = shaped;
      }
    }
  }

  /**
   * An event not caused by an API request (the emulator's trigger route): stored in the account's
   * events and delivered like any other. Returns the stored event.
   */
  emitEvent(
    ns: { livemode: boolean; account?: string; owner?: string },
    type: string,
    obj: Obj,
    requestId: string,
  ): Obj {
    const route = this.router.routes.find((r) => r.resourceId === 'event' && r.op.kind === 'list');
    if (!route || !this.events) throw new Error('the catalog has no events');
    const ctx = this.context({ ...ns, requestId }, route, route.op.path, {});
    const event = this.events.emit(ctx, type, obj);
    if (!event) throw new Error('the event was not stored');
    return event;
  }

  emit(ctx: Ctx, type: string, obj: Obj, previous?: Obj): void {
    this.events?.emit(ctx, type, this.render(obj), previous);
  }

  newId(resourceId: string, livemode: boolean): string {
    if (resourceId === 'coupon' || resourceId === 'promotion_code') return this.ids.chars(8).toUpperCase();
    let prefix = this.catalog.raw.resources[resourceId]?.idPrefix ?? resourceId.split('.').pop()!.slice(0, 6);
    if (prefix === 'cs_test' && livemode) prefix = 'cs_live';
    const long =
      resourceId === 'payment_intent' || resourceId === 'charge' || resourceId === 'balance_transaction';
    return this.ids.id(prefix, long ? 24 : 14);
  }

  find(ctx: Ctx, resourceId: string, id: string): Obj | undefined {
    return ctx.ns.collection(resourceId).get(id) ?? this.resolvers.get(resourceId)?.(ctx, id);
  }

  get(ctx: Ctx, resourceId: string, id: string, param = 'id'): Obj {
    const obj = this.find(ctx, resourceId, id);
    if (!obj) throw missing(resourceId, id, param);
    return obj;
  }

  /** Any stored object by id, guessing its resource from the id prefix. */
  lookupAny(ctx: Ctx, id: string, hint?: string[]): Obj | undefined {
    const candidates = [...(hint ?? [])];
    const parts = id.split('_');
    for (let i = parts.length - 1; i >= 1; i--) {
      candidates.push(...(this.prefixes.get(parts.slice(0, i).join('_')) ?? []));
    }
    for (const r of candidates) {
      const found = this.find(ctx, r, id);
      if (found) return found;
    }
    return undefined;
  }
}

/**
 * The Billing objects a test clock moves through time (Stripe's blog on test clocks: a clock gives a
 * customer's Subscription and Invoice objects its time). Everything else made while a clock bills
 * (events, payment intents, charges, balance transactions) carries the real time: Stripe confirms
 * a renewal's payment intent is dated now, not at the clock's time (stripe/stripe-python#1183).
 */
const CLOCKED: ReadonlySet<string> = new Set([
  'subscription',
  'subscription_item',
  'subscription_schedule',
  'invoice',
  'invoiceitem',
  'line_item',
  'credit_note',
  'quote',
]);

/** Stripe embeds at most this many entries of a list (invoice lines, subscription items). */
export const EMBEDDED_LIST_MAX = 10;

/**
 * An embedded list as Stripe sends it: the first 10 entries, `has_more` when there are others
 * (reachable through the list's `url` with `starting_after`), and the full `total_count`.
 */
export function embeddedList(list: Obj): Obj {
  const data = Array.isArray(list.data) ? (list.data as Obj[]) : [];
  return {
    ...list,
    data: data.length > EMBEDDED_LIST_MAX ? data.slice(0, EMBEDDED_LIST_MAX) : data,
    has_more: data.length > EMBEDDED_LIST_MAX,
    total_count: data.length,
  };
}

function early(error: StripeError): StripeError {
  error.early = true;
  return error;
}

/** Params for in-process calls go through validation like wire params, so make them look like form values. */
function stringify(value: unknown): any {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify);
  if (typeof value === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = stringify(v);
    return out;
  }
  return String(value);
}
