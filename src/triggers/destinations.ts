/**
 * Destinations: sinks the operator declared by name in the server config (`destinations:`), the
 * only way a trigger made over the API reaches a command, a file or a network address. The server
 * writes them to the store when it starts, so every runner on that store (the server's own,
 * `trigger run`) resolves `destination:NAME` the same way, when the trigger runs: a changed config
 * takes effect at the next start, and a trigger never holds the operator's command or URL itself.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConnectorError } from '../errors.ts';
import type { Store } from '../store/types.ts';
import { parseSinkSpec, type SinkSpec } from './sink-spec.ts';

const DESTINATIONS_KEY = 'destinations';

export interface StoredDestination {
  sink: string;
  /** The http sink's `whsec_` key as a reference. */
  secret?: string;
  /** Where relative file paths and `file:` references of this destination are read from. */
  baseDir: string;
}

export type Destinations = Record<string, StoredDestination>;

export async function saveDestinations(store: Store, destinations: Destinations): Promise<void> {
  await store.kv.set(DESTINATIONS_KEY, destinations);
}

export async function loadDestinations(store: Store): Promise<Destinations> {
  return (await store.kv.get<Destinations>(DESTINATIONS_KEY)) ?? {};
}

/** A concrete sink: the trigger's own, or its destination's with paths made absolute. */
export interface ResolvedSink {
  spec: Exclude<SinkSpec, { kind: 'destination' }>;
  /** The secret reference of an http sink, and the folder its relative `file:` is read from. */
  secret?: string;
  baseDir: string;
}

export function resolveSink(
  spec: SinkSpec,
  secret: string | undefined,
  destinations: Destinations,
): ResolvedSink {
  if (spec.kind !== 'destination') return { spec, secret, baseDir: process.cwd() };
  const destination = destinations[spec.name];
  if (!destination) throw unknownDestination(spec.name, destinations);
  const parsed = parseSinkSpec(destination.sink, destination.secret);
  if ('error' in parsed || parsed.kind === 'destination')
    throw new ConnectorError('INVALID_ARGUMENT', `destination ${spec.name}: its sink is not valid`, {
      field: 'sink',
    });
  const inDir = (path: string) => (isAbsolute(path) ? path : resolve(destination.baseDir, path));
  return {
    spec: parsed.kind === 'file' ? { ...parsed, path: inDir(parsed.path) } : parsed,
    secret: destination.secret,
    baseDir: destination.baseDir,
  };
}

export function unknownDestination(name: string, destinations: Destinations): ConnectorError {
  const known = Object.keys(destinations);
  return new ConnectorError(
    'UNKNOWN_DESTINATION',
    `no destination named "${name}": ${known.length ? `the server's config declares ${known.join(', ')}` : "the server's config declares none"}`,
    { field: 'sink', destination: name },
  );
}
