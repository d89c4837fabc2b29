/**
 * The MCP server's safety policy, enforced in one place: `authorize` is called by the tool
 * dispatcher (server.ts) for every call, with what the call would do (its Access), before the
 * tool runs. Tools never check flags themselves.
 *   - read-only unless `allowWrites`;
 *   - writes that move, concede or commit funds (the catalog's money rules, money.ts) also need
 *     `allowMoney`;
 *   - a live-mode key needs `allowLive`, checked when the server is made (`checkMode`);
 *   - rows per query call are bounded by `maxRows`.
 */
import type { StripeCatalog } from '../catalog/index.ts';
import { ConnectorError } from '../errors.ts';
import { moneyRuleFor, type WriteAccess } from './money.ts';

export type { WriteAccess } from './money.ts';

/** What a tool call would do: read, or write something (money is decided by the catalog). */
export type Access = { kind: 'read' } | WriteAccess;

export interface McpPolicyOptions {
  allowWrites?: boolean;
  allowMoney?: boolean;
  allowLive?: boolean;
  /** Most rows one query call returns (default 100); a string as typed on a command line. */
  maxRows?: number | string;
}

export interface McpPolicy {
  readonly allowWrites: boolean;
  readonly allowMoney: boolean;
  readonly allowLive: boolean;
  readonly maxRows: number;
  /** Rows a query returns when the call names no limit: 100, or maxRows when that is lower. */
  readonly defaultRows: number;
}

export const DEFAULT_ROWS = 100;
/** A bound on the bound: one tool result holds every row in memory and in the agent's context. */
export const MAX_ROWS_CEILING = 10_000;

export function createPolicy(options: McpPolicyOptions = {}): McpPolicy {
  const given = options.maxRows;
  const maxRows =
    given === undefined
      ? DEFAULT_ROWS
      : typeof given === 'string' && given.trim() === ''
        ? NaN
        : Number(given);
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_ROWS_CEILING) {
    throw new ConnectorError(
      'INVALID_ARGUMENT',
      `--max-rows must be an integer from 1 to ${MAX_ROWS_CEILING}, got ${String(options.maxRows)}`,
      { field: '--max-rows' },
    );
  }
  return Object.freeze({
    allowWrites: Boolean(options.allowWrites),
    // Money without writes would be a flag that does nothing: it needs both, and says so when refused.
    allowMoney: Boolean(options.allowMoney),
    allowLive: Boolean(options.allowLive),
    maxRows,
    defaultRows: Math.min(DEFAULT_ROWS, maxRows),
  });
}

/** Refuses a live-mode connection unless allowed: at start, before any tool is offered. */
export function checkMode(policy: McpPolicy, mode: 'test' | 'live'): void {
  if (mode === 'live' && !policy.allowLive) {
    throw new ConnectorError(
      'POLICY_REFUSED',
      'the connection uses a live-mode key (sk_live_/rk_live_): an agent would act on real money and ' +
        'customers; start the MCP server with --allow-live to permit it, or use a test-mode key',
      { field: '--allow-live' },
    );
  }
}

function describeWrite(access: WriteAccess): string {
  return access.action ?? `${access.operation} ${access.entity}`;
}

/** The one check: throws POLICY_REFUSED naming the flag that would allow the call. */
export function authorize(policy: McpPolicy, access: Access, catalog: StripeCatalog): void {
  if (access.kind === 'read') return;
  if (!policy.allowWrites) {
    throw new ConnectorError(
      'POLICY_REFUSED',
      `${describeWrite(access)} is a write, and this MCP server is read-only: start it with --allow-writes`,
      { field: '--allow-writes', entity: access.entity },
    );
  }
  const rule = moneyRuleFor(catalog, access);
  if (rule && !policy.allowMoney) {
    throw new ConnectorError(
      'POLICY_REFUSED',
      `${describeWrite(access)} moves money (${rule.why}): start the MCP server with --allow-money as well`,
      { field: '--allow-money', entity: access.entity },
    );
  }
}

/** Whether a write would be allowed, for listings (list_actions says what an agent may run). */
export function allows(policy: McpPolicy, access: Access, catalog: StripeCatalog): boolean {
  try {
    authorize(policy, access, catalog);
    return true;
  } catch {
    return false;
  }
}
