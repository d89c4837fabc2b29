/**
 * A trigger is data: what to watch (a webhook or poll source on a connection), where to deliver
 * (a sink), how fast and in which order. Validated once, every fault named by its key path.
 */
import { z } from 'zod';
import { NAME_PATTERN } from '../connection/schema.ts';
import { ConnectorError } from '../errors.ts';
import { parseDuration } from './duration.ts';
import { parseSinkSpec, type SinkSpec } from './sink-spec.ts';

export const DEFAULT_INTERVAL = '120s';
/** Microsoft's connector handles at most 100 events/s per trigger; ours defaults to the same. */
export const DEFAULT_RATE_LIMIT = 100;

const name = z.string().max(63, { message: 'must be at most 63 characters' }).regex(NAME_PATTERN, {
  message:
    'must be lowercase letters, digits and hyphens, start with a letter and end with a letter or digit',
});

const duration = (min: number, what: string) =>
  z.string().refine((v) => (parseDuration(v) ?? -1) >= min, {
    message: `must be a duration such as 120s, 5m or 2h, at least ${what}`,
  });

/** `path` or `output=path` (dotted): the output key and where it comes from on the object. */
const FIELD = /^(?:[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*=)?[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*$/;
const EVENT_TYPE = /^(?:\*|[a-z0-9_]+(?:\.(?:[a-z0-9_]+|\*))*)$/;

export const triggerSchema = z
  .object({
    name,
    connection: name.default('default'),
    /** A preset's name, kept for `trigger show`; its values are already folded in. */
    preset: z.string().optional(),
    source: z.enum(['webhook', 'events', 'objects']),
    /** Event types (webhook, events): `charge.succeeded`, `charge.*`, `*`. */
    events: z
      .array(z.string().regex(EVENT_TYPE, { message: 'is not an event type (charge.succeeded)' }))
      .optional(),
    /** The entity an object poller lists (objects): `Charge`, `charge`. */
    entity: z.string().min(1).optional(),
    /** Events of connected accounts too (a `connect: true` endpoint, `account` on each event). */
    connect: z.boolean().default(false),
    interval: duration(1000, '1s').default(DEFAULT_INTERVAL),
    delivery: z
      .object({
        mode: z.enum(['ordered', 'parallel']).default('ordered'),
        /** In-flight deliveries at once in parallel mode. */
        concurrency: z.number().int().min(1).max(256).default(8),
      })
      .strict()
      .default({ mode: 'ordered', concurrency: 8 }),
    /** Events per second to this trigger's sink. */
    rateLimit: z.number().positive().max(100_000).default(DEFAULT_RATE_LIMIT),
    sink: z.string().min(1),
    /** Secret reference (env:VAR, file:PATH) of the http sink's `whsec_` signing key. */
    sinkSecret: z
      .string()
      .regex(/^(env|file):.+/, { message: 'must be a secret reference env:VAR or file:PATH' })
      .optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(1000).default(12),
        maxAge: duration(1000, '1s').default('72h'),
      })
      .strict()
      .default({ maxAttempts: 12, maxAge: '72h' }),
    /** Output projection; absent = the whole object. */
    fields: z.array(z.string().regex(FIELD, { message: 'must be a dotted path or output=path' })).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.source === 'objects' && !t.entity)
      ctx.addIssue({ code: 'custom', path: ['entity'], message: 'is required for an objects source' });
    if (t.source !== 'objects' && !t.events?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['events'],
        message: `needs at least one event type for a ${t.source} source`,
      });
    if (t.source === 'objects' && t.events)
      ctx.addIssue({
        code: 'custom',
        path: ['events'],
        message: 'is not used by an objects source (it lists by created)',
      });
    const sink = parseSinkSpec(t.sink, t.sinkSecret);
    if ('error' in sink) ctx.addIssue({ code: 'custom', path: ['sink'], message: sink.error });
  });

export type TriggerInput = z.input<typeof triggerSchema>;
export type TriggerDefinition = z.output<typeof triggerSchema> & {
  /** Parsed forms of the text fields above. */
  intervalMs: number;
  sinkSpec: SinkSpec;
  maxAgeMs: number;
};

/** Validates a definition; a ConnectorError names every offending key path. */
export function parseTrigger(input: unknown): TriggerDefinition {
  const result = triggerSchema.safeParse(input);
  if (!result.success) throw invalidTrigger(result.error);
  const t = result.data;
  return {
    ...t,
    intervalMs: parseDuration(t.interval) as number,
    maxAgeMs: parseDuration(t.retry.maxAge) as number,
    sinkSpec: parseSinkSpec(t.sink, t.sinkSecret) as SinkSpec,
  };
}

function invalidTrigger(error: z.ZodError): ConnectorError {
  const issues = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => ({ key: [...issue.path, k].join('.'), why: 'unknown key' }))
      : [{ key: issue.path.join('.') || '(root)', why: issue.message }],
  );
  const lines = issues.map((i) => `${i.key}: ${/received undefined/.test(i.why) ? 'is required' : i.why}`);
  return new ConnectorError('INVALID_ARGUMENT', `invalid trigger: ${lines.join('; ')}`, {
    keys: issues.map((i) => i.key),
    issues: lines,
  });
}
