/**
 * The server's config file (YAML or JSON), validated like connection files: unknown keys are errors
 * and every message names the key path (`listen.port`, `connections.1.apiKey`). Connections are
 * given inline or as `{ file: PATH }`; either way secrets are `env:`/`file:` references, checked
 * here by the connection loader itself.
 */
import { dirname, resolve } from 'node:path';
import { readYamlObject } from '../connection/yaml-file.ts';
import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { applyAliases, connectionSchema, describeIssues, NAME_PATTERN } from '../connection/schema.ts';
import { hostGrantsShape } from '../connection/grants.ts';
import { parseSinkSpec } from '../triggers/sink-spec.ts';
import { parseDuration } from '../triggers/duration.ts';
import { parseConnection, type ConnectionFileInput } from '../connection/index.ts';
import type { ConnectionOrigin } from './ports.ts';
import { clusterConfigSchema } from './cluster.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

const NAME_RULE =
  'must be lowercase letters, digits and hyphens, start with a letter and end with a letter or digit';

const DEFAULT_TRIGGER_QUOTA = { perConnection: 20, minInterval: '5s' };

const apiSchema = z
  .object({
    ...hostGrantsShape,
    /** Per connection, for triggers made over the API. */
    triggers: z
      .object({
        /** At most this many triggers on one connection. */
        perConnection: z.number().int().min(0).max(10_000).default(DEFAULT_TRIGGER_QUOTA.perConnection),
        /** The shortest poll interval. */
        minInterval: z
          .string()
          .refine((v) => (parseDuration(v) ?? -1) >= 1000, {
            message: 'must be a duration such as 5s, 2m or 1h, at least 1s',
          })
          .default(DEFAULT_TRIGGER_QUOTA.minInterval),
      })
      .strict()
      .default(DEFAULT_TRIGGER_QUOTA),
  })
  .strict();

const destinationSchema = z
  .object({
    sink: z.string().min(1),
    secret: z
      .string()
      .regex(/^(env|file):.+/, { message: 'must be a secret reference env:VAR or file:PATH' })
      .optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const spec = parseSinkSpec(d.sink, d.secret);
    if ('error' in spec) ctx.addIssue({ code: 'custom', path: ['sink'], message: spec.error });
    else if (spec.kind === 'destination')
      ctx.addIssue({ code: 'custom', path: ['sink'], message: 'a destination cannot point at another' });
  });

const serverConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default(DEFAULT_HOST),
        port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
      })
      .strict()
      .default({ host: DEFAULT_HOST, port: DEFAULT_PORT }),
    /** The embedded store's folder (SQLite). */
    dataDir: z.string().min(1).optional(),
    /** Or a store URL (`postgres://…`); its password as a reference, like every secret. */
    storeUrl: z.string().min(1).optional(),
    connections: z.array(z.record(z.string(), z.unknown())).default([]),
    /** The URL Stripe reaches this server at: webhook triggers get endpoints at `<it>/webhooks/<connection>`. */
    publicUrl: z.string().url().optional(),
    limits: z
      .object({
        /** Largest request body accepted. */
        bodyBytes: z
          .number()
          .int()
          .min(1024)
          .max(100 * 1024 * 1024)
          .default(1024 * 1024),
        /** Requests per token (per address without one) per window. */
        rateLimit: z
          .object({
            max: z.number().int().min(1).default(1200),
            windowMs: z.number().int().min(100).default(60_000),
          })
          .strict()
          .default({ max: 1200, windowMs: 60_000 }),
      })
      .strict()
      .default({ bodyBytes: 1024 * 1024, rateLimit: { max: 1200, windowMs: 60_000 } }),
    /**
     * MCP at /mcp: a read token gets a read-only policy, a write token may write; writes that move
     * money and live-mode keys stay refused unless allowed here (never by a token alone).
     */
    mcp: z
      .object({
        allowMoney: z.boolean().default(false),
        allowLive: z.boolean().default(false),
      })
      .strict()
      .default({ allowMoney: false, allowLive: false }),
    /** Scale-out on a PostgreSQL store: min/max nodes, lease and heartbeat times (cluster.ts). */
    cluster: clusterConfigSchema.optional(),
    /**
     * What a client of the API may use of the host, granted by the operator (the rest of the host
     * is the operator's alone: see docs/security.md). Connections and billing integrations created
     * over the API may name only these secrets, Stripe addresses and proxies.
     */
    api: apiSchema.default(apiSchema.parse({})),
    /**
     * Where triggers may deliver, declared by the operator and referenced by name
     * (`sink: destination:NAME`): the only way a trigger made over the API reaches a command, a file
     * or a network address. `sink` is written as on the command line (`https://…`, `file:PATH`,
     * `exec:COMMAND`); a relative file path is in the config's folder; `secret` is the http sink's
     * `whsec_` key as a reference.
     */
    destinations: z
      .record(z.string().regex(NAME_PATTERN, { message: NAME_RULE }), destinationSchema)
      .default({}),
    /** Origins allowed to call from a browser; none: CORS stays off. */
    cors: z
      .object({ origins: z.array(z.string().min(1)).min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.dataDir && c.storeUrl)
      ctx.addIssue({ code: 'custom', path: ['storeUrl'], message: 'conflicts with dataDir: give only one' });
  });

export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/** A connection from the config, ready to be put into the connection repo. */
export interface ConfiguredConnection {
  definition: ConnectionFileInput;
  origin: ConnectionOrigin;
  baseDir: string;
}

export interface ServerConfig extends Omit<z.output<typeof serverConfigSchema>, 'connections'> {
  connections: ConfiguredConnection[];
  /** The config file's folder (relative `file:` references and destination paths), or the cwd. */
  baseDir: string;
}

function invalid(source: string, lines: string[], keys: string[]): ConnectorError {
  return new ConnectorError('INVALID_ARGUMENT', `invalid server config ${source}: ${lines.join('; ')}`, {
    field: keys[0],
    keys,
    issues: lines,
  });
}

const readObject = (path: string, what: string) => readYamlObject(path, what, 'INVALID_ARGUMENT').data;

/**
 * Checks one connection's shape (key paths prefixed with where it sits in the config) and that its
 * secrets are references. References are resolved later, when the connection is used: a config may
 * name a variable the environment sets only in production.
 */
export function checkConnectionDefinition(raw: unknown, source: string, at = ''): Record<string, unknown> {
  const folded = applyAliases(raw) as Record<string, unknown>;
  const parsed = connectionSchema.safeParse(folded);
  if (!parsed.success) {
    const e = describeIssues(parsed.error, source);
    const prefix = (text: string) => (at ? `${at}.${text}` : text);
    const issues = e.details.issues as string[];
    const keys = e.details.keys as string[];
    throw new ConnectorError(
      'CONNECTION_INVALID',
      `invalid connection in ${source}: ${issues.map(prefix).join('; ')}`,
      {
        field: prefix(keys[0] ?? ''),
        keys: keys.map(prefix),
        issues: issues.map(prefix),
      },
    );
  }
  assertReferencesOnly(folded, at, source);
  return folded;
}

/** Secrets in a stored definition must be references (a value would end up in the store). */
export function assertReferencesOnly(definition: Record<string, unknown>, at: string, source: string): void {
  const proxy = definition.proxy as Record<string, unknown> | undefined;
  const secrets: Array<[string, unknown]> = [
    ['apiKey', definition.apiKey ?? 'env:STRIPE_API_KEY'],
    ['proxy.password', proxy?.password],
  ];
  for (const [key, value] of secrets) {
    if (value === undefined || (typeof value === 'string' && /^(env|file):./.test(value))) continue;
    const where = at ? `${at}.${key}` : key;
    throw new ConnectorError(
      'CONNECTION_INVALID',
      `${source}: ${where}: a literal value is not allowed; write env:VAR or file:PATH instead`,
      { field: where, key: where },
    );
  }
}

export function parseServerConfig(
  input: unknown,
  opts: { source?: string; baseDir?: string } = {},
): ServerConfig {
  const source = opts.source ?? 'config';
  const baseDir = opts.baseDir ?? process.cwd();
  const parsed = serverConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const e = describeIssues(parsed.error, source);
    throw invalid(source, e.details.issues as string[], e.details.keys as string[]);
  }
  const connections = parsed.data.connections.map((raw, i): ConfiguredConnection => {
    const at = `connections.${i}`;
    if ('file' in raw) {
      if (Object.keys(raw).length !== 1 || typeof raw.file !== 'string')
        throw invalid(source, [`${at}: give either { file: PATH } or a connection inline`], [at]);
      const file = resolve(baseDir, raw.file);
      const definition = checkConnectionDefinition(readObject(file, 'connection file'), file, at);
      return { definition: definition as ConnectionFileInput, origin: 'file', baseDir: dirname(file) };
    }
    return {
      definition: checkConnectionDefinition(raw, source, at) as ConnectionFileInput,
      origin: 'config',
      baseDir,
    };
  });
  const names = new Map<string, number>();
  connections.forEach((c, i) => {
    const name = String(c.definition.name);
    if (names.has(name))
      throw invalid(
        source,
        [`connections.${i}.name: ${name} is already used by connections.${names.get(name)}`],
        [`connections.${i}.name`],
      );
    names.set(name, i);
  });
  return { ...parsed.data, connections, baseDir };
}

export function loadServerConfig(path: string): ServerConfig {
  const full = resolve(path);
  return parseServerConfig(readObject(full, 'server config'), { source: full, baseDir: dirname(full) });
}

/** Validates and resolves a stored definition into a usable Connection (secrets read now). */
export function resolveDefinition(
  definition: ConnectionFileInput,
  baseDir: string,
  env: Record<string, string | undefined>,
) {
  return parseConnection(definition, {
    env,
    baseDir,
    // As the CLI: what the definition leaves out, the operator's environment fills (STRIPE_API_BASE).
    envDefaults: true,
    allowLiteralSecrets: false,
    source: `connection ${definition.name}`,
  });
}
