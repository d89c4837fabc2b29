/**
 * What a tool is: a name, a description, an input schema (zod, shown to clients as JSON Schema),
 * what a call would do (its Access, which the dispatcher hands to the policy) and how it runs.
 * Tools do not check the policy, generate idempotency keys, redact or format: the dispatcher
 * (server.ts) does that for all of them.
 */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { StripeCatalog } from '../catalog/index.ts';
import type { ConnectorContext } from '../context.ts';
import { ConnectorError } from '../errors.ts';
import type { Access, McpPolicy } from './policy.ts';

export interface ToolCall {
  ctx: ConnectorContext;
  policy: McpPolicy;
  /** Set by the dispatcher for a write Stripe takes a key for (client's own or generated). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface McpTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  annotations: ToolAnnotations;
  access(args: z.infer<S>, ctx: ConnectorContext): Access;
  run(args: z.infer<S>, call: ToolCall): Promise<unknown>;
}

/** Keeps each tool's argument type while the list holds them all. */
export const defineTool = <S extends z.ZodObject>(tool: McpTool<S>): McpTool => tool as unknown as McpTool;

export const READ: Access = { kind: 'read' };

/** Tool annotations of a read (hints for clients that ask before running a tool). */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, openWorldHint: true };

/**
 * An entity name. The advertised schema lists the names (an enum helps a model pick one); the
 * check is the catalog's, which also takes `customer` or `payment_intent` and answers a wrong
 * name with UNKNOWN_ENTITY and the closest one.
 */
export function entityName(catalog: StripeCatalog, description = 'entity name, e.g. Customer') {
  const names = catalog
    .entities()
    .filter((e) => !e.deletedOf)
    .map((e) => e.entity);
  return z.string().min(1).meta({ enum: names, description });
}

export const payloadInput = (description: string) => z.record(z.string(), z.unknown()).meta({ description });

export const idempotencyInput = z.string().min(1).max(255).optional().meta({
  description:
    'idempotency key for the write; the same key again replays the first answer instead of writing twice (default: a generated one, returned in the result)',
});

export const parentsInput = z
  .record(z.string(), z.string())
  .optional()
  .meta({ description: 'parent ids of a nested entity: {"customer": "cus_..."} for TaxId' });

/** The JSON Schema a client sees for a tool's input. */
export function inputJsonSchema(schema: z.ZodObject): { type: 'object'; [key: string]: unknown } {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
  return { ...json, type: 'object' };
}

/** Checks a call's arguments; a fault is INVALID_ARGUMENT naming the argument, as the CLI names options. */
export function parseArgs<S extends z.ZodObject>(tool: McpTool<S>, args: unknown): z.infer<S> {
  const result = tool.input.safeParse(args ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const field = [...issue.path, ...keys.slice(0, 1)].map(String).join('.') || 'arguments';
  throw new ConnectorError('INVALID_ARGUMENT', `${tool.name}: ${field}: ${issue.message}`, { field });
}
