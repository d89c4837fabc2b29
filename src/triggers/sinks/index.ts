/** A sink from its spec. The http sink's secret is resolved by the caller (the runner, the store). */
import { createRedactor } from '../../connection/redact.ts';
import { ConnectorError } from '../../errors.ts';
import type { SinkSpec } from '../sink-spec.ts';
import { execSink } from './exec.ts';
import { httpSink } from './http.ts';
import { fileSink, streamSink } from './ndjson.ts';
import type { Sink } from './types.ts';

export type { Sink, SinkMessage, SinkOutcome } from './types.ts';

/**
 * Every error a sink reports (a command's stderr, a receiver's answer) passes the redactor before
 * it is stored as a delivery's last error, which read tokens see: its own signing secret and
 * anything shaped like a key, a credential or a card number never reaches them.
 */
export function createSink(
  spec: Exclude<SinkSpec, { kind: 'destination' }>,
  resolved: { secret?: string } = {},
): Sink {
  const sink = bareSink(spec, resolved);
  const redactor = createRedactor([resolved.secret]);
  return {
    async send(message, signal) {
      const outcome = await sink.send(message, signal);
      return outcome.kind === 'ack' ? outcome : { ...outcome, error: redactor(outcome.error) };
    },
    close: () => sink.close(),
  };
}

function bareSink(spec: Exclude<SinkSpec, { kind: 'destination' }>, resolved: { secret?: string }): Sink {
  switch (spec.kind) {
    case 'http':
      if (!resolved.secret)
        throw new ConnectorError(
          'SECRET_UNRESOLVED',
          'sinkSecret: an http sink needs its whsec_ signing secret',
          { keys: ['sinkSecret'] },
        );
      return httpSink({ url: spec.url, secret: resolved.secret });
    case 'file':
      return fileSink(spec.path);
    case 'stdout':
      return streamSink();
    case 'exec':
      return execSink(spec.command);
  }
}
