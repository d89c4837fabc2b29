/** A stored definition as the dispatcher runs it: its sink made (secret resolved), its policy. */
import type { TriggerDefinition } from './definition.ts';
import type { DispatchTrigger } from './dispatch.ts';
import { parseFields } from './project.ts';
import { createSink } from './sinks/index.ts';
import { sinkSecret } from './sinks/secret.ts';

/** Throws (a ConnectorError naming the key) when the sink cannot be made, e.g. its secret is bad. */
export function dispatchTrigger(
  t: TriggerDefinition,
  env: Record<string, string | undefined>,
): DispatchTrigger {
  return {
    name: t.name,
    mode: t.delivery.mode,
    concurrency: t.delivery.concurrency,
    rateLimit: t.rateLimit,
    sink: createSink(t.sinkSpec, { secret: sinkSecret(t.sinkSpec, t.name, env) }),
    sinkKey: t.sink,
    fields: t.fields && parseFields(t.fields),
    maxAttempts: t.retry.maxAttempts,
    maxAgeMs: t.maxAgeMs,
  };
}
