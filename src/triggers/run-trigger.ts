/** A stored definition as the dispatcher runs it: its sink made (secret resolved), its policy. */
import { resolveSecret } from '../connection/secrets.ts';
import type { TriggerDefinition } from './definition.ts';
import type { DispatchTrigger } from './dispatch.ts';
import { parseFields } from './project.ts';
import { createSink } from './sinks/index.ts';

export function dispatchTrigger(
  t: TriggerDefinition,
  env: Record<string, string | undefined>,
): DispatchTrigger {
  const spec = t.sinkSpec;
  const secret =
    spec.kind === 'http'
      ? resolveSecret(spec.secret, `${t.name}.sinkSecret`, { env, baseDir: process.cwd() })
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
