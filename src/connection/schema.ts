/**
 * The connection file's shape, validated once at load. Unknown keys are errors (a typo such as
 * `proxy.sslTpye` must not silently fall back to a default), and each message names the key path.
 * Terraform variable names from the Google seed are accepted as aliases and folded in first.
 */
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';

export const NAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Enum values are accepted in any case (`basic`, `Basic`) and stored in the seed's upper case. */
const upperEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(values));

// Whether a literal is allowed depends on where the connection comes from (a file: never; code:
// yes), so the check lives in load.ts, which knows the source.
const secretRef = z.string().min(1);

export const httpUrl = z.string().refine(
  (v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL' },
);

const PROXY_ADDRESS = /^[a-z]+:\/\//i;
const HOST_PORT = /^[^/\s]+:\d+$/;

const proxySchema = z
  .object({
    enabled: z.boolean().default(false),
    /**
     * The proxy's address (`http://host:port`, `https://host:port` or `host:port`), or several: the
     * seed's "proxy server host addresses", tried in order when one is unreachable.
     */
    url: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Several addresses, as a list (the same as `url: [...]`). */
    urls: z.array(z.string().min(1)).min(1).optional(),
    authScheme: upperEnum(['BASIC', 'DIGEST', 'NONE'] as const).default('NONE'),
    user: z.string().min(1).optional(),
    password: secretRef.optional(),
    sslType: upperEnum(['AUTO', 'ALWAYS', 'NEVER', 'TUNNEL'] as const).default('AUTO'),
    /** How long connecting to one proxy may take before the next address is tried. */
    connectTimeoutMs: z.number().int().min(50).max(600_000).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.url !== undefined && p.urls !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['urls'],
        message: 'conflicts with proxy.url: give only one of them',
      });
    }
    if (p.enabled && p.url === undefined && p.urls === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required when the proxy is enabled' });
    }
    const key = p.urls !== undefined ? 'urls' : 'url';
    const given = p.urls ?? p.url;
    const list = given === undefined ? [] : Array.isArray(given) ? given : [given];
    list.forEach((address, i) => {
      if (!PROXY_ADDRESS.test(address) && !HOST_PORT.test(address)) {
        ctx.addIssue({
          code: 'custom',
          path: Array.isArray(given) ? [key, i] : [key],
          message: 'must be http://host:port, https://host:port or host:port',
        });
      }
    });
    if (p.authScheme !== 'NONE') {
      if (!p.user)
        ctx.addIssue({
          code: 'custom',
          path: ['user'],
          message: `is required for authScheme ${p.authScheme}`,
        });
      if (!p.password) {
        ctx.addIssue({
          code: 'custom',
          path: ['password'],
          message: `is required for authScheme ${p.authScheme}`,
        });
      }
    }
  });

const loggingSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Minimum severity. Default: error, or debug when verbosity ≥ 3 asks for traffic lines. */
    level: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.toLowerCase() : v),
        z.enum(['error', 'warn', 'info', 'debug']),
      )
      .optional(),
    verbosity: z.number().int().min(1).max(5).default(1),
  })
  .strict();

const throttleSchema = z
  .object({
    /** Requests per second for this connection (all concurrent callers share it). */
    tps: z.number().positive().max(10_000).optional(),
    /** Requests that may go at once after an idle period. */
    burst: z.number().int().min(1).max(10_000).optional(),
    maxRetries: z.number().int().min(0).max(20).default(4),
    /**
     * Share this connection's budget with every node on the same PostgreSQL store (scale-out):
     * the store comes from the process (`serve --store`, STRIPE_CONNECTOR_STORE).
     */
    shared: z.boolean().optional(),
    /** Nodes with the same key share one budget (default: the connection's name). */
    budgetKey: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'letters, digits and _ . : - only (at most 100)' })
      .optional(),
    /** More budgets that must all pass too, e.g. 100 calls per 60 s: `{limit: 100, intervalMs: 60000}`. */
    budgets: z
      .array(
        z
          .object({
            limit: z.number().int().min(1).max(1_000_000),
            intervalMs: z.number().int().min(1).max(86_400_000),
            burst: z.number().int().min(1).max(10_000).optional(),
          })
          .strict(),
      )
      .max(4)
      .optional(),
  })
  .strict();

export const connectionSchema = z
  .object({
    name: z.string().max(63, { message: 'must be at most 63 characters' }).regex(NAME_PATTERN, {
      message:
        'must be lowercase letters, digits and hyphens, start with a letter and end with a letter or digit',
    }),
    description: z.string().max(2048).optional(),
    labels: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, { message: 'label keys are lowercase' }),
        z.string().max(63),
      )
      .optional(),
    apiKey: secretRef.default('env:STRIPE_API_KEY'),
    /** The mode this connection is meant for; a key of the other mode is refused at load. */
    mode: z.enum(['test', 'live']).optional(),
    accountId: z
      .string()
      .regex(/^acct_[A-Za-z0-9]+$/, { message: 'must be a Stripe account id (acct_...)' })
      .optional(),
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/, { message: 'must look like 2023-08-16' })
      .optional(),
    baseUrl: httpUrl.optional(),
    /** PEM file of extra trusted CAs (a TLS-inspecting proxy, a private Stripe-compatible server). */
    caFile: z.string().min(1).optional(),
    /** Per attempt; Stripe's own SDK default is 80 s. */
    timeoutMs: z.number().int().min(100).max(600_000).default(80_000),
    proxy: proxySchema.optional(),
    logging: loggingSchema.optional(),
    throttle: throttleSchema.optional(),
  })
  .strict();

export type ConnectionFile = z.output<typeof connectionSchema>;
export type ConnectionFileInput = z.input<typeof connectionSchema>;

/** Terraform variable (Google seed) → path in our schema. */
export const TERRAFORM_ALIASES: Record<string, [string, string?]> = {
  proxy_enabled: ['proxy', 'enabled'],
  proxy_auth_scheme: ['proxy', 'authScheme'],
  proxy_user: ['proxy', 'user'],
  proxy_password: ['proxy', 'password'],
  proxy_ssltype: ['proxy', 'sslType'],
  proxy_url: ['proxy', 'url'],
  proxy_urls: ['proxy', 'urls'],
  account_id: ['accountId'],
  verbosity: ['logging', 'verbosity'],
  api_key: ['apiKey'],
  api_version: ['apiVersion'],
  base_url: ['baseUrl'],
};

/** Folds aliases into their canonical place; an alias given beside its canonical key is an error. */
export function applyAliases(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [alias, [first, second]] of Object.entries(TERRAFORM_ALIASES)) {
    if (!(alias in out)) continue;
    const value = out[alias];
    delete out[alias];
    const canonical = second ? `${first}.${second}` : first;
    if (second) {
      const group = out[first];
      if (group !== undefined && (typeof group !== 'object' || group === null || Array.isArray(group))) {
        throw invalid(first, 'must be an object', `${alias} is an alias of ${canonical}`);
      }
      const obj = { ...((group as Record<string, unknown>) ?? {}) };
      if (second in obj) throw invalid(alias, `conflicts with ${canonical}: give only one of them`);
      obj[second] = value;
      out[first] = obj;
    } else {
      if (first in out) throw invalid(alias, `conflicts with ${canonical}: give only one of them`);
      out[first] = value;
    }
  }
  return out;
}

function invalid(key: string, why: string, hint?: string): ConnectorError {
  return new ConnectorError('CONNECTION_INVALID', `connection: ${key} ${why}`, {
    key,
    ...(hint ? { hint } : {}),
  });
}

/** Turns zod's issues into one message naming every offending key path and the reason. */
export function describeIssues(error: z.ZodError, source: string): ConnectorError {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? `${issue.path.join('.')}.` : '';
      return issue.keys.map((k) => `${where}${k}: unknown key`).join('; ');
    }
    const path = issue.path.join('.') || '(root)';
    let why = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) why = 'is required';
    else if (issue.code === 'invalid_value' && 'values' in issue) {
      why = `must be one of ${(issue.values as unknown[]).map(String).join(', ')}`;
    }
    return `${path}: ${why}`;
  });
  const keys = error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [i.path.join('.')],
  );
  return new ConnectorError('CONNECTION_INVALID', `invalid connection ${source}: ${lines.join('; ')}`, {
    keys,
    issues: lines,
  });
}
