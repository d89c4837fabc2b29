/** A stored definition as the dispatcher runs it: its sink made (destination and secret resolved), its policy. */
import type { TriggerDefinition } from './definition.ts';
import { resolveSink, type Destinations } from './destinations.ts';
import type { DispatchTrigger } from './dispatch.ts';
import { parseFields } from './project.ts';
import { createSink } from './sinks/index.ts';
import { sinkSecret } from './sinks/secret.ts';

/**
 * Throws (a ConnectorError naming the key) when the sink cannot be made: its secret is bad, or its
 * destination is no longer declared.
 */
export function dispatchTrigger(
  t: TriggerDefinition,
  env: Record<string, string | undefined>,
  destinations: Destinations = {},
): DispatchTrigger {
  const { spec, secret, baseDir } = resolveSink(t.sinkSpec, t.sinkSecret, destinations);
  return {
    name: t.name,
    mode: t.delivery.mode,
    concurrency: t.delivery.concurrency,
    rateLimit: t.rateLimit,
    sink: createSink(spec, { secret: sinkSecret(spec, secret, t.name, { env, baseDir }) }),
    sinkKey: t.sink,
    fields: t.fields && parseFields(t.fields),
    maxAttempts: t.retry.maxAttempts,
    maxAgeMs: t.maxAgeMs,
  };
}
