/**
 * Actions: every custom method in the catalog (`POST /v1/payment_intents/{intent}/capture` →
 * `CapturePaymentIntent`, plus the seeds' aliases) and the Microsoft seed's named actions. Inputs
 * go through the entity engine's id resolution and payload mapper (errors before any call); the
 * answer is Stripe's JSON or the seed's shape, or for a file (PdfQuote) `{ contentType, body }`.
 * Stripe's refusals propagate as mapped errors.
 */
import { closest } from 'fastest-levenshtein';
import type { Action, NamedAction } from '../catalog/index.ts';
import { actionInputs, type ParamSummary } from '../catalog/describe.ts';
import type { ConnectorContext } from '../context.ts';
import { ConnectorError } from '../errors.ts';
import { expandNestedLists, gatewayRequest, planCall, send, type PlannedCall } from '../entities/index.ts';
import { checkShape, shapeObject, type Shape } from '../entities/shape.ts';
import type { Payload } from '../entities/payload.ts';
import { runNamedAction } from './run-named.ts';
import { seedOutput } from './seed-shapes.ts';

export interface ActionOptions {
  /** `native` (default): Stripe's JSON; `seed`: the Google seed's one-element array; `flat`. */
  shape?: Shape;
  idempotencyKey?: string;
  stripeAccount?: string;
}

type Json = Record<string, any>;

export type ResolvedAction = { kind: 'catalog'; action: Action } | { kind: 'named'; action: NamedAction };

/** An action by any of its names, or UNKNOWN_ACTION with the closest name. */
export function resolveAction(ctx: Pick<ConnectorContext, 'catalog'>, name: string): ResolvedAction {
  const named = ctx.catalog.findNamedAction(name ?? '');
  if (named) return { kind: 'named', action: named };
  const action = ctx.catalog.findAction(name ?? '');
  if (action) return { kind: 'catalog', action };
  const names = [
    ...ctx.catalog.actions().flatMap((a) => [a.name, ...a.aliases]),
    ...ctx.catalog.namedActions().map((a) => a.name),
  ];
  const suggestion = closest(String(name ?? ''), names);
  throw new ConnectorError('UNKNOWN_ACTION', `unknown action "${name}"; did you mean ${suggestion}?`, {
    field: 'action',
    action: name,
    suggestion,
  });
}

/** Runs an action, by name or as already resolved (the CLI resolves first to know if it is a file). */
export async function runAction(
  ctx: ConnectorContext,
  name: string | ResolvedAction,
  payload: Payload = {},
  opts: ActionOptions = {},
): Promise<unknown> {
  const shape = checkShape(opts.shape);
  const resolved = typeof name === 'string' ? resolveAction(ctx, name) : name;
  if (resolved.kind === 'named') return runNamedAction(ctx, resolved.action, payload, { ...opts, shape });
  const { action } = resolved;
  const call = planCall(
    ctx,
    action.entity,
    'custom',
    payload ?? {},
    {},
    {
      operation: action.operation,
      target: `action ${action.name}`,
    },
  );
  if (action.operation.response.kind === 'binary') return download(ctx, action, call, shape, opts);
  const object = await send(ctx, call, opts);
  if (shape === 'native') return object;
  // Seed and flat rows carry nested lists whole (`lines.data`, `lines.total_count`).
  await expandNestedLists(ctx, object as Json);
  return shape === 'seed'
    ? seedOutput(ctx.catalog.seedRule(action.name), object as Json)
    : shapeObject(object as Json, shape);
}

/** What an action answering with a file (PdfQuote) returns natively. */
export interface ActionFile {
  contentType: string;
  body: Buffer;
}

/** Whether an action's answer is a file rather than JSON (the CLI needs to know before it runs). */
export function isBinaryAction(resolved: ResolvedAction): boolean {
  return resolved.kind === 'catalog' && resolved.action.operation.response.kind === 'binary';
}

/**
 * A file answer through the gateway's download pipeline. Native: `{ contentType, body }`; the seed
 * and flat shapes are JSON rows, so they carry the content type and size, never the bytes.
 */
async function download(
  ctx: ConnectorContext,
  action: Action,
  call: PlannedCall,
  shape: Shape,
  opts: ActionOptions,
): Promise<unknown> {
  if (!ctx.gateway.download) {
    throw new ConnectorError(
      'OPERATION_NOT_SUPPORTED',
      `${action.name} returns a file (${action.operation.response.contentType ?? 'binary'}), which this gateway cannot download`,
      { action: action.name, response: 'binary' },
    );
  }
  const file: ActionFile = await ctx.gateway.download(gatewayRequest(call, opts));
  return shapeFile(file, shape);
}

/** A file answer in a shape: native is the file; seed and flat describe it (type and size). */
export function shapeFile(file: ActionFile, shape: Shape): unknown {
  if (shape === 'native') return file;
  if (shape === 'seed') return [{ Success: 'true', ContentType: file.contentType, Bytes: file.body.length }];
  return { content_type: file.contentType, bytes: file.body.length };
}

export interface ActionDescription {
  name: string;
  aliases: string[];
  entity: string;
  method: string;
  path: string;
  testHelper: boolean;
  source: 'catalog' | 'microsoft';
  description?: string;
  inputs: ParamSummary[];
}

/** Every action with its inputs, for `actions --json`, the server and the console. */
export function listActions(ctx: Pick<ConnectorContext, 'catalog'>): ActionDescription[] {
  const catalogActions = ctx.catalog.actions().map((a) => ({
    name: a.name,
    aliases: a.aliases,
    entity: a.entity.entity,
    method: a.operation.method,
    path: a.operation.path,
    testHelper: Boolean(a.operation.testHelper),
    source: 'catalog' as const,
    inputs: actionInputs(ctx.catalog, a),
  }));
  const named = ctx.catalog.namedActions().map((a) => {
    const entity = ctx.catalog.entity(a.entity);
    const operation = ctx.catalog.operation(entity, a.kind)!;
    return {
      name: a.name,
      aliases: [],
      entity: entity.entity,
      method: operation.method,
      path: operation.path,
      testHelper: false,
      source: 'microsoft' as const,
      description: a.description,
      // The seed also offers fields Stripe removed (Product caption); running refuses them, so the
      // listing leaves them out, both by the one table (REMOVED_FIELDS in catalog/overrides.ts).
      inputs: a.inputs.filter((i) => !ctx.catalog.removedField(entity, i.name)),
    };
  });
  return [...catalogActions, ...named];
}
