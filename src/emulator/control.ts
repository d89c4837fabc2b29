/**
 * The emulator's own control routes, outside Stripe's /v1 space, for tests and demos:
 *
 *   POST /_emulator/events   JSON {"type": "order.created", "object"?: {...}, "account"?: "acct_...",
 *                                  "count"?: 1..1000}
 *     Authorization: Bearer <secret key>  (the key's mode picks test or live data)
 *     → 200 the event as /v1/events shows it; stored there and delivered, signed, to the webhook
 *       endpoints that want it (with `account`: the platform's connect endpoints). 400 for a type
 *       Stripe does not have. Like the Stripe CLI's `trigger`, for events nothing else makes.
 *       With `count`: that many events, each of its own new object, answered as a list (load tests
 *       offer thousands of events a second without a request per event).
 */
import type http from 'node:http';
import { authenticate } from './auth.ts';
import type { Engine } from './engine.ts';
import { StripeError, invalid } from './errors.ts';
import { eventPrefix } from './event_names.ts';
import type { Obj } from './objects.ts';
import { send } from './server.ts';
import { stripeEventTypes } from './events.ts';

export function controlRoutes(engine: Engine, accounts?: Record<string, string>) {
  const types = stripeEventTypes(engine.catalog);
  return async (req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (!path.startsWith('/_emulator/')) return false;
    const requestId = `req_${engine.ids.chars(14)}`;
    try {
      if (path !== '/_emulator/events' || req.method !== 'POST')
        throw invalid(
          `Unknown emulator control route ${req.method} ${path} (there is POST /_emulator/events).`,
          undefined,
          undefined,
          404,
        );
      const { livemode, key } = authenticate(req.headers.authorization);
      const input = parseInput(text);
      if (!types.has(input.type))
        throw invalid(
          `Unknown event type: '${input.type}' (not one of Stripe's ${types.size} event types).`,
          'parameter_invalid_enum',
          'type',
        );
      const emit = () =>
        engine.render(
          engine.emitEvent(
            { livemode, account: input.account, owner: accounts?.[key] },
            input.type,
            objectFor(engine, input, livemode),
            requestId,
          ),
        );
      const body =
        input.count === undefined
          ? emit()
          : { object: 'list', data: Array.from({ length: input.count }, emit), has_more: false };
      send(res, 200, body, { 'Request-Id': requestId });
    } catch (error) {
      const e = error instanceof StripeError ? error : invalid(String((error as Error).message));
      send(res, e.status, e.body(requestId, false), { 'Request-Id': requestId });
    }
    return true;
  };
}

interface TriggerInput {
  type: string;
  object?: Obj;
  account?: string;
  count?: number;
}

const MAX_EMIT_COUNT = 1000;

function parseInput(text: string): TriggerInput {
  let value: unknown;
  try {
    value = JSON.parse(text || '{}');
  } catch {
    throw invalid('The body must be JSON: {"type": "...", "object"?: {...}, "account"?: "acct_..."}');
  }
  const v = value as Record<string, unknown>;
  if (!v || typeof v !== 'object' || typeof v.type !== 'string')
    throw invalid('Missing required param: type.', 'parameter_missing', 'type');
  if (
    v.object !== undefined &&
    (typeof v.object !== 'object' || v.object === null || Array.isArray(v.object))
  )
    throw invalid('object must be a JSON object.', 'parameter_invalid_object', 'object');
  if (v.account !== undefined && (typeof v.account !== 'string' || !/^acct_\w+$/.test(v.account)))
    throw invalid('account must be an account id (acct_...).', 'parameter_invalid_string', 'account');
  if (
    v.count !== undefined &&
    (!Number.isInteger(v.count) || (v.count as number) < 1 || (v.count as number) > MAX_EMIT_COUNT)
  )
    throw invalid(
      `count must be a whole number from 1 to ${MAX_EMIT_COUNT}.`,
      'parameter_invalid_integer',
      'count',
    );
  return {
    type: v.type,
    object: v.object as Obj | undefined,
    account: v.account as string | undefined,
    count: v.count as number | undefined,
  };
}

const resourceIds = new WeakMap<Engine, Map<string, string | undefined>>();

/** The resource an event name is of: the longest event prefix it starts with (once per name). */
function resourceOf(engine: Engine, name: string): string | undefined {
  let known = resourceIds.get(engine);
  if (!known) resourceIds.set(engine, (known = new Map()));
  if (known.has(name)) return known.get(name);
  let resourceId: string | undefined;
  for (const id of Object.keys(engine.catalog.raw.resources)) {
    const prefix = eventPrefix(id);
    if (
      (name === prefix || name.startsWith(`${prefix}.`)) &&
      prefix.length > (resourceId ? eventPrefix(resourceId).length : 0)
    )
      resourceId = id;
  }
  known.set(name, resourceId);
  return resourceId;
}

/**
 * The event's object: the resource the type names (longest event prefix: `customer.subscription.*`
 * is a subscription), shaped by its schema, with the caller's fields over it. Types of resources
 * the API no longer has (`order.*`) get a minimal object of that name.
 */
function objectFor(engine: Engine, input: TriggerInput, livemode: boolean): Obj {
  const name = input.type.slice(0, input.type.lastIndexOf('.'));
  const resourceId = resourceOf(engine, name);
  const now = Math.floor(Date.now() / 1000);
  const base: Obj = resourceId
    ? { ...engine.shapes.template(resourceId), object: resourceId, id: engine.newId(resourceId, livemode) }
    : { id: `${name.split('.').pop()}_${engine.ids.chars(14)}`, object: name };
  if (!resourceId || engine.shapes.schema(resourceId)?.fields?.created) base.created = now;
  if (!resourceId || engine.shapes.schema(resourceId)?.fields?.livemode) base.livemode = livemode;
  return { ...base, ...input.object };
}
