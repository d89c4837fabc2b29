/** A stored definition as the dispatcher runs it: its sink made (secret resolved), its policy. */
import { resolveSecret } from '../connection/secrets.ts';
import type { TriggerDefinition } from './definition.ts';
import type { DispatchTrigger } from './dispatch.ts';
import { parseFields } from './project.ts';
import { createSink } from './sinks/index.ts';
import { resolveSink, type Destinations } from './destinations.ts';

export function dispatchTrigger(
  t: TriggerDefinition,
  env: Record<string, string | undefined>,
  destinations: Destinations = {},
): DispatchTrigger {
  const { spec, secret: reference, baseDir } = resolveSink(t.sinkSpec, t.sinkSecret, destinations);
  const secret =
    spec.kind === 'http' && reference
      ? resolveSecret(reference, `${t.name}.sinkSecret`, { env, baseDir })
      : undefined;
  return {
    name: t.name,
    mode: t.delivery.mode,
    concurrency: t.delivery.concurrency,
    rateLimit: t.rateLimit,
    sink: createSink(spec, { secret }),
    sinkKey: t.sink,
    fields: t.fields && parseFields(t.fields),
    maxAttempts: t.retry.maxAttempts,
    maxAgeMs: t.maxAgeMs,
  };
}
