/** A sink from its spec. The http sink's secret is resolved by the caller (the runner, the store). */
import { ConnectorError } from '../../errors.ts';
import type { SinkSpec } from '../sink-spec.ts';
import { execSink } from './exec.ts';
import { httpSink } from './http.ts';
import { fileSink, streamSink } from './ndjson.ts';
import type { Sink } from './types.ts';

export type { Sink, SinkMessage, SinkOutcome } from './types.ts';

export function createSink(
  spec: Exclude<SinkSpec, { kind: 'destination' }>,
  resolved: { secret?: string } = {},
): Sink {
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
