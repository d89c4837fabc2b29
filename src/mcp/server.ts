/**
 * The MCP server over the connector. The SDK's low-level `Server` is used (not `McpServer`)
 * because the tools' schemas are generated from the catalog and every call goes through one
 * dispatcher: arguments checked → Access → the policy → an idempotency key for a write → the tool
 * → redaction → a result, or an error result with the ConnectorError's code and field.
 *
 * `prepareMcp` builds the tools once; `newMcpServer` makes a Server from them, which is cheap, so
 * the stateless HTTP handler makes one per request.
 */
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { redact, type Redactor } from '../connection/redact.ts';
import type { ConnectorContext } from '../context.ts';
import { authorize, checkMode, createPolicy, type McpPolicy, type McpPolicyOptions } from './policy.ts';
import { catalogResources, type CatalogResources } from './resources.ts';
import { toolError, toolResult } from './results.ts';
import { inputJsonSchema, parseArgs, type McpTool } from './tool.ts';
import { actionTools } from './tools/actions.ts';
import { catalogTools } from './tools/catalog.ts';
import { entityTools } from './tools/entities.ts';
import { queryTools } from './tools/query.ts';
import { triggerTools } from './tools/triggers.ts';

export const SERVER_NAME = 'stripe-connector';
const SERVER_VERSION = '0.1.0';

export interface McpServerOptions {
  /** The trigger runner's status; without it there is no trigger_status tool. */
  triggerStatus?: () => Promise<unknown>;
  /** Removes the connection's own secrets by value too (default: the pattern redaction only). */
  redactor?: Redactor;
}

export interface PreparedMcp {
  ctx: ConnectorContext;
  policy: McpPolicy;
  tools: Map<string, McpTool>;
  listing: Tool[];
  resources: CatalogResources;
  redactor: Redactor;
  /** Tool calls running now: a stopping server waits for them (a write already sent gets its answer). */
  inflight: Set<Promise<CallToolResult>>;
}

const asPolicy = (policy: McpPolicy | McpPolicyOptions): McpPolicy =>
  'defaultRows' in policy ? (policy as McpPolicy) : createPolicy(policy);

/** Checks the policy against the connection (live keys) and builds the tools once. */
export function prepareMcp(
  ctx: ConnectorContext,
  policyOrOptions: McpPolicy | McpPolicyOptions = {},
  options: McpServerOptions = {},
): PreparedMcp {
  const policy = asPolicy(policyOrOptions);
  checkMode(policy, ctx.gateway.mode);
  const { catalog } = ctx;
  const list = [
    ...catalogTools(catalog, policy),
    ...queryTools(catalog, policy),
    ...entityTools(catalog),
    ...actionTools(catalog),
    ...triggerTools(options.triggerStatus),
  ];
  const mode = policy.allowWrites
    ? policy.allowMoney
      ? 'writes and money allowed'
      : 'writes allowed, money not'
    : 'read-only';
  const listing: Tool[] = list.map((t) => ({
    name: t.name,
    title: t.title,
    description: t.annotations.readOnlyHint ? t.description : `${t.description} (This server: ${mode}.)`,
    inputSchema: inputJsonSchema(t.input),
    annotations: t.annotations,
  }));
  return {
    ctx,
    policy,
    tools: new Map(list.map((t) => [t.name, t])),
    listing,
    resources: catalogResources(catalog, policy),
    redactor: options.redactor ?? redact,
    inflight: new Set(),
  };
}

/** One tool call, start to end: the only place the policy is applied. */
export async function callTool(
  prepared: PreparedMcp,
  name: string,
  args: unknown,
  signal?: AbortSignal,
): Promise<CallToolResult> {
  const tool = prepared.tools.get(name);
  if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool "${name}"`);
  const { ctx, policy, redactor } = prepared;
  try {
    const parsed = parseArgs(tool, args) as Record<string, unknown>;
    const access = tool.access(parsed, ctx);
    authorize(policy, access, ctx.catalog);
    // Stripe's deletes are DELETE requests, idempotent by themselves: they take no key.
    const keyed = access.kind === 'write' && access.operation !== 'delete';
    const idempotencyKey = keyed ? ((parsed.idempotency_key as string) ?? `mcp-${randomUUID()}`) : undefined;
    const out = await tool.run(parsed, { ctx, policy, idempotencyKey, signal });
    return toolResult(idempotencyKey ? { idempotency_key: idempotencyKey, result: out } : out, redactor);
  } catch (error) {
    return toolError(error, redactor);
  }
}

export function newMcpServer(prepared: PreparedMcp): Server {
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        'Stripe through the stripe-connector: list_entities and describe_entity to learn the data, query to read it, ' +
        'list_actions for what can be done. Writes and money-moving actions are refused unless the operator allowed them.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: prepared.listing }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const call = callTool(prepared, request.params.name, request.params.arguments, extra.signal);
    prepared.inflight.add(call);
    const done = () => prepared.inflight.delete(call);
    call.then(done, done);
    return call;
  });
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: prepared.resources.list(),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: prepared.resources.templates(),
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => ({
    contents: [prepared.resources.read(request.params.uri)],
  }));
  return server;
}

/** How long a stopping server waits for its calls in flight (the gateway's own timeouts come first). */
export const DRAIN_TIMEOUT_MS = 10_000;

/** Waits for the tool calls in flight (stop on SIGTERM: answer what was started, then close). */
export async function drain(prepared: PreparedMcp, timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([Promise.allSettled([...prepared.inflight]), bound]);
  clearTimeout(timer);
}

/** A server over a context: refuses a live-mode key unless the policy allows it. */
export function createMcpServer(
  ctx: ConnectorContext,
  policy: McpPolicy | McpPolicyOptions = {},
  options: McpServerOptions = {},
): Server {
  return newMcpServer(prepareMcp(ctx, policy, options));
}
