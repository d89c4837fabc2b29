/**
 * The http sink's signing key: read from its reference (`env:VAR`, `file:PATH`) and checked to be
 * a Standard Webhooks key (`whsec_` then base64), so a bad one is named at `trigger add` and, when
 * it goes bad later, fails only its own trigger with the same words. Never the key in a message.
 */
import { Webhook } from 'standardwebhooks';
import { resolveSecret, type SecretContext } from '../../connection/secrets.ts';
import { ConnectorError } from '../../errors.ts';
import type { SinkSpec } from '../sink-spec.ts';

/**
 * The key behind an http sink's reference (`reference`: a destination's, else the sink's own),
 * checked; undefined for the other sinks.
 */
export function sinkSecret(
  spec: SinkSpec,
  reference: string | undefined,
  trigger: string,
  ctx: SecretContext,
): string | undefined {
  if (spec.kind !== 'http') return undefined;
  const ref = reference ?? spec.secret;
  const secret = resolveSecret(ref, `${trigger}.sinkSecret`, ctx);
  try {
    new Webhook(secret);
  } catch (error) {
    throw new ConnectorError(
      'INVALID_VALUE',
      `${trigger}.sinkSecret: ${ref} does not hold a signing key, whsec_ then base64 (${(error as Error).message})`,
      { key: `${trigger}.sinkSecret`, reference: ref },
    );
  }
  return secret;
}
