/**
 * What a trigger made by a client of the API (a token, of any scope) may be. The host belongs to
 * the operator: such a trigger delivers to a destination the operator declared by name, or to the
 * server's own standard output, never to a command, a file or an address the client names, and it
 * names no secret of the host. Per connection, the operator's quota bounds how many triggers there
 * are and how often they poll, so one token cannot starve a connection's rate budget.
 */
import { ConnectorError } from '../errors.ts';
import type { Store } from '../store/types.ts';
import type { TriggerDefinition, TriggerInput } from './definition.ts';
import { unknownDestination, type Destinations } from './destinations.ts';

export interface ClientLimits {
  destinations: Destinations;
  /** At most this many triggers on one connection. */
  perConnection: number;
  /** The shortest interval a trigger may poll at. */
  minIntervalMs: number;
}

export async function checkClientTrigger(
  store: Store,
  trigger: TriggerDefinition,
  limits: ClientLimits,
): Promise<void> {
  const sink = trigger.sinkSpec;
  if (sink.kind === 'destination') {
    if (!Object.hasOwn(limits.destinations, sink.name))
      throw unknownDestination(sink.name, limits.destinations);
  } else if (sink.kind !== 'stdout') {
    throw new ConnectorError(
      'OPERATOR_ONLY',
      `a ${sink.kind === 'http' ? 'URL' : `${sink.kind}:`} sink can be declared only by the operator: over the API, deliver to one of the server config's destinations (sink: destination:NAME) or to stdout`,
      { field: 'sink' },
    );
  }
  if (trigger.sinkSecret !== undefined)
    throw new ConnectorError(
      'OPERATOR_ONLY',
      "sinkSecret names a secret of the server's host: over the API, deliver to a destination the operator declared (sink: destination:NAME), which carries its own secret",
      { field: 'sinkSecret' },
    );
  if (trigger.intervalMs < limits.minIntervalMs)
    throw new ConnectorError(
      'QUOTA_EXCEEDED',
      `interval: at least ${limits.minIntervalMs / 1000}s on this server (api.triggers.minInterval)`,
      { field: 'interval' },
    );
  const others = (await store.triggers.list<TriggerInput>()).filter(
    (r) => r.name !== trigger.name && (r.definition.connection ?? 'default') === trigger.connection,
  );
  if (others.length >= limits.perConnection)
    throw new ConnectorError(
      'QUOTA_EXCEEDED',
      `connection ${trigger.connection} has ${others.length} triggers, the most this server allows per connection (api.triggers.perConnection): remove one first`,
      { field: 'connection' },
    );
}

/**
 * A trigger as a client sees it: a sink the operator wrote on the host (a command, a path, a URL,
 * which may hold a token of its own, like a chat webhook's) and its secret reference are not shown,
 * only their kind; a destination's name and stdout are.
 */
export function clientView<R extends { definition: TriggerInput }>(record: R): R {
  const { sink, sinkSecret, ...rest } = record.definition;
  if (sinkSecret === undefined && (sink === 'stdout' || sink?.startsWith('destination:'))) return record;
  const kind = /^https?:/i.test(sink ?? '') ? 'http' : (sink?.split(':', 1)[0] ?? 'sink');
  return { ...record, definition: { ...rest, sink: `(${kind} sink set by the operator)` } };
}
