/**
 * The http sink's signing key: read from its reference (`env:VAR`, `file:PATH`) and checked to be
 * a Standard Webhooks key (`whsec_` then base64), so a bad one is named at `trigger add` and, when
 * it goes bad later, fails only its own trigger with the same words. Never the key in a message.
 */
import { Webhook } from 'standardwebhooks';
import { resolveSecret } from '../../connection/secrets.ts';
import { ConnectorError } from '../../errors.ts';
import type { SinkSpec } from '../sink-spec.ts';

/** The key behind an http sink's reference, checked; undefined for the other sinks. */
export function sinkSecret(
  spec: SinkSpec,
  trigger: string,
  env: Record<string, string | undefined>,
): string | undefined {
  if (spec.kind !== 'http') return undefined;
  const secret = resolveSecret(spec.secret, `${trigger}.sinkSecret`, { env, baseDir: process.cwd() });
  try {
    new Webhook(secret);
  } catch (error) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `${trigger}.sinkSecret: ${spec.secret} does not hold a signing key, whsec_ then base64 (${(error as Error).message})`,
      { key: `${trigger}.sinkSecret`, reference: spec.secret },
    );
  }
  return secret;
}
